#!/bin/sh
# counter: a session service in websocketd's style (README, "Sessions"). It counts to 100, a line
# every 100 ms, without being asked: each line reaches the page as it is written. Then it exits,
# and the page's close event says so.
i=0
while [ $i -lt 100 ]; do
  i=$((i + 1))
  echo "$i"
  sleep 0.1
done
