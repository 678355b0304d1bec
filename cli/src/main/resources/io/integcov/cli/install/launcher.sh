#!/bin/sh
# integcov launcher, written by `integcov install` (JVM build): runs the integcov.jar next to this script.
# JVM flags: fast start and small footprint (C1 only, serial GC, no hsperfdata file on a read-only root).
java=@JAVA@
[ -x "$java" ] || java=java
case $0 in
  */*) here=${0%/*} ;;
  *) here=$(dirname "$(command -v "$0")") ;;
esac
exec "$java" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -jar "$here/integcov.jar" "$@"
