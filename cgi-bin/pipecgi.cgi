#!/bin/sh
# pipecgi launcher. An endpoint is a copy of this file (or a link to it) named NAME.cgi with
# NAME.conf beside it, or with PIPECGI_CONF set by the server to the configuration's path.
# pipecgi.jar must sit beside it. See README.md.

# Forget our arguments, and never pass any on: Apache turns a query string without '=' into
# arguments (RFC 3875 4.4), so "?-Xmx1m+--evil" would otherwise choose java's options.
set --

# Something is missing: answer with a valid CGI 500 and say why in the error log, rather than
# leave the server to report "Premature end of script headers".
die() {
  printf 'pipecgi[%s]: 500 Internal Server Error: %s\n' "$name" "$1" >&2
  printf 'Status: 500 Internal Server Error\r\nContent-Type: text/plain; charset=utf-8\r\n'
  printf 'X-Content-Type-Options: nosniff\r\nContent-Length: 26\r\n\r\n'
  printf '500 Internal Server Error\n'
  # Read the rest of the request body: a CGI program that exits with input unread can make the
  # server cut this response or drop the client's connection.
  [ -n "${REQUEST_METHOD:-}" ] && cat >/dev/null 2>&1
  exit 2
}

# Parameter expansion only: each dirname or basename would cost a fork on every request.
case $0 in
  */*) here=${0%/*} ;;
  *) here=. ;;
esac
name=${0##*/}
name=${name%.cgi}
name=${name%.fcgi}
conf=${PIPECGI_CONF:-$here/$name.conf}
jar=$here/pipecgi.jar

if [ -n "${PIPECGI_JAVA:-}" ]; then
  java=$PIPECGI_JAVA
elif [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
elif command -v java >/dev/null 2>&1; then
  java=java
else
  die "no java: set PIPECGI_JAVA or JAVA_HOME, or put java on the server's PATH"
fi
[ "$java" = java ] || [ -x "$java" ] || die "$java is not an executable java"
[ -r "$jar" ] || die "cannot read $jar (build it with mvn package)"
[ -r "$conf" ] || die "cannot read the configuration file $conf"

PIPECGI_CONF=$conf
export PIPECGI_CONF
tmpdir=
[ -n "${TMPDIR:-}" ] && tmpdir=-Djava.io.tmpdir=$TMPDIR

# Spawned as a FastCGI application (Apache mod_fcgid, lighttpd's bin-path): no request in the
# environment, and on stdin the listening socket the server made (the FastCGI specification's
# FCGI_LISTENSOCK_FILENO). One JVM then answers request after request, so the JIT is worth its
# warm-up (C1 only: it warms up sooner, and the full JIT answered no more requests a second under
# mod_fcgid but held 8 to 10 MiB more per JVM, measured; the work is the service's), and
# the start-up archive, made for single requests, is not used. -Xms8m: a server may run many of
# these JVMs (mod_fcgid one per request at once), and the default first heap, a 64th of the
# machine's memory, lets each touch a young generation of that size between collections: 170 MiB
# resident after 3,000 requests against 66 MiB with 8m (measured); the heap still grows when a
# request needs it. The JVM says nothing on stdout: it is closed.
if [ -z "${REQUEST_METHOD:-}" ] && [ -S /dev/stdin ]; then
  LC_ALL=C.UTF-8
  export LC_ALL
  exec "$java" \
    -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xms8m \
    -XX:+DisplayVMOutputToStderr -Xlog:disable -Xlog:all=warning:stderr \
    ${tmpdir:+"$tmpdir"} -jar "$jar"
fi
# Java reads the environment in the locale's charset. Under Apache's LANG=C every non-ASCII byte
# of a header value would reach the service as '?'; in UTF-8 valid UTF-8 passes unchanged.
LC_ALL=C.UTF-8
export LC_ALL
# The start-up archive (README, "Performance"): pipecgi makes it after the first request, in
# $PIPECGI_ARCHIVE_DIR or beside the jar, and gives it the jar's modification time. It is used
# only while the two times are equal (test's -nt and -ot: no fork), so an archive made for another
# jar is never mapped. The JVM checks that it was made by this java, and starts without it if not;
# it then says nothing at all (-Xlog:disable alone), as a JDK 17 would reject -Xlog:aot.
archive_dir=${PIPECGI_ARCHIVE_DIR:-$here}
archive=
older_java_ignores=
log=-Xlog:all=warning:stderr
fits() {
  [ -r "$1" ] && ! [ "$1" -nt "$jar" ] && ! [ "$1" -ot "$jar" ]
}
if [ "$archive_dir" = off ]; then
  :
elif fits "$archive_dir/pipecgi.aot"; then
  # JDK 25's AOT cache. An older java ignores the option rather than refuse to start.
  older_java_ignores=-XX:+IgnoreUnrecognizedVMOptions
  archive=-XX:AOTCache=$archive_dir/pipecgi.aot
  log=
elif fits "$archive_dir/pipecgi.jsa"; then
  archive=-XX:SharedArchiveFile=$archive_dir/pipecgi.jsa
  log=
fi

# Start-up flags, chosen by measurement (README, "Performance"): the interpreter only (a request
# ends before compiled code would pay back, and the bytes are copied by native code), the serial
# collector, no perf-data file in /tmp. The JVM prints some warnings (class-data archives) on
# stdout, in front of our headers: none of it goes there.
# StartupArchive.LAUNCHER_FLAGS repeats these flags: keep the two the same.
exec "$java" \
  -Xint -XX:+UseSerialGC -XX:-UsePerfData \
  -XX:+DisplayVMOutputToStderr -Xlog:disable ${log:+"$log"} \
  ${older_java_ignores:+"$older_java_ignores"} ${archive:+"$archive"} ${tmpdir:+"$tmpdir"} \
  -jar "$jar"
