#!/bin/sh
# chat: a chat room kept in one file, a line per message, for the browser demo. pipecgi runs it in
# cgi mode (chat.conf), so it prints its own header fields.
#   POST             appends the body (one line, control characters removed) to the room.
#   GET ?cursor=N    waits up to 20 s for what was written after byte N of the room, then answers
#                    it with "Pipecgi-Cursor: M", M the room's size after it; or 204 No Content
#                    and the same cursor when nothing came. An empty cursor answers at once with
#                    the room's size: where "now" is. This is what pipecgi.js's listen mode asks.
set -u
dir=${PIPECGI_CHAT_DIR:-/tmp/pipecgi-chat-$(id -u)}
room=$dir/room
full=1048576

answer() { # answer STATUS CURSOR: an empty answer
  printf 'Status: %s\nPipecgi-Cursor: %s\nCache-Control: no-store\n\n' "$1" "$2"
  exit 0
}

# A directory of our own: in a shared /tmp someone else could have made it first.
mkdir -m 700 "$dir" 2>/dev/null
if [ -L "$dir" ] || ! [ -d "$dir" ] || ! [ -O "$dir" ]; then
  echo "chat: $dir is not a directory of this user" >&2
  exit 1
fi
[ -f "$room" ] || : >>"$room"
size=$(wc -c <"$room")

case ${REQUEST_METHOD:-} in
  POST)
    [ "$size" -lt "$full" ] || answer '507 Insufficient Storage' "$size"
    line=$(head -c 1000 | tr -d '\000-\037\177')
    [ -n "$line" ] || answer '400 Bad Request' "$size"
    # One short write with O_APPEND: lines from simultaneous requests never interleave.
    printf '%s\n' "$line" >>"$room"
    answer '204 No Content' "$(wc -c <"$room")"
    ;;
  GET | HEAD)
    cursor=
    case ${QUERY_STRING:-} in
      cursor=* | *'&cursor='*) cursor=${QUERY_STRING#*cursor=} cursor=${cursor%%&*} ;;
    esac
    case $cursor in
      '') answer '204 No Content' "$size" ;;
      *[!0-9]*) answer '400 Bad Request' "$size" ;;
    esac
    # A cursor past the end is from a room that has since been emptied: start again.
    [ "$cursor" -le "$size" ] || cursor=0
    waited=0
    while [ "$size" -le "$cursor" ]; do
      [ $waited -lt 100 ] || answer '204 No Content' "$cursor"
      sleep 0.2
      waited=$((waited + 1))
      size=$(wc -c <"$room")
    done
    printf 'Content-Type: text/plain; charset=utf-8\nPipecgi-Cursor: %s\nCache-Control: no-store\n\n' "$size"
    tail -c +$((cursor + 1)) "$room" | head -c $((size - cursor))
    ;;
  *) answer '405 Method Not Allowed' "$size" ;;
esac
