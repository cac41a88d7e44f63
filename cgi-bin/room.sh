#!/bin/sh
# room: a chat room that every session shares, a session service in websocketd's style (README,
# "Sessions"). Each line the page sends is said in the room; every line said in the room, by any
# session, is pushed to every page. The room is a file in $PIPECGI_ROOM_DIR (set it with pass-env
# and the server's environment), else in /tmp/pipecgi-room-UID; it is emptied once it holds 1 MiB.
set -u
dir=${PIPECGI_ROOM_DIR:-/tmp/pipecgi-room-$(id -u)}
room=$dir/room
full=1048576

# A directory of our own: in a shared /tmp someone else could have made it first.
mkdir -m 700 "$dir" 2>/dev/null
if [ -L "$dir" ] || ! [ -d "$dir" ] || ! [ -O "$dir" ]; then
  echo "room: $dir is not a directory of this user" >&2
  exit 1
fi
[ -f "$room" ] || : >>"$room"

# What is said from now on, pushed as it comes (tail follows the file, also once emptied).
tail -n 0 -F "$room" 2>/dev/null &
listener=$!
trap 'kill $listener 2>/dev/null' EXIT

while IFS= read -r line; do
  line=$(printf '%s' "$line" | tr -d '\000-\037\177' | head -c 1000)
  [ -n "$line" ] || continue
  [ "$(wc -c <"$room")" -lt "$full" ] || : >"$room"
  # One short write with O_APPEND: lines from simultaneous sessions never interleave.
  printf '%s\n' "$line" >>"$room"
done
