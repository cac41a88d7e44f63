#!/bin/sh
# greeter: a session service in websocketd's style (README, "Sessions"): one process for the whole
# conversation, so it remembers every name it was told. Each line in is a name; each line out is
# a message to the page.
met=
echo "Hello! What is your name?"
while IFS= read -r name; do
  [ -n "$name" ] || continue
  met=${met:+$met, }$name
  echo "Hello, $name! I have met: $met."
done
