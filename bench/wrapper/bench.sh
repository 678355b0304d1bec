#!/usr/bin/env bash
# Benchmarks the integcov wrapper (`integcov run`) on this machine:
#   (a) time from wrapper start to child start,
#   (b) wrapper RSS while the child runs,
#   (c) time to upload 100 files after the child exits (fake-gcs-server and file://).
# Needs cli/target/integcov.jar (mvn -B -q -pl cli -am install -DskipTests) and, for (c) on gs://,
# fake-gcs-server in ${INTEGCOV_CACHE:-$HOME/.cache/integcov}/bin (src/ci/install-fake-gcs.sh).
#   bench/wrapper/bench.sh [RUNS]     RUNS per startup measurement (default 10)
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
runs=${1:-10}
jar="$root/cli/target/integcov.jar"
fake_gcs="${INTEGCOV_CACHE:-$HOME/.cache/integcov}/bin/fake-gcs-server"
[[ -f $jar ]] || { echo "missing $jar: mvn -B -q -pl cli -am install -DskipTests" >&2; exit 1; }
work=$(mktemp -d)
gcs_pid=
cleanup() { [[ -n $gcs_pid ]] && kill "$gcs_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
unset GOCOVERDIR INTEGCOV_STORAGE STORAGE_EMULATOR_HOST INTEGCOV_UPLOAD_TIMEOUT

# the installed form, as the webhook's init container makes it (launcher script with tuned JVM flags)
java -jar "$jar" install "$work/bin" 2>/dev/null
launcher="$work/bin/integcov"

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m}'; }
minimum() { sort -n | head -1 | awk '{printf "%.1f", $1}'; }

# (a) ms from just before exec of the wrapper to the child's first instruction (`date` prints its start time)
startup() {
  local i t0 t1
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    t1=$("$@" date +%s%N 2>/dev/null)
    echo $(( (t1 - t0) / 1000 )) | awk '{printf "%.3f\n", $1 / 1000}'
  done
}
printf '%-48s %10s %10s\n' "(a) wrapper start -> child start, $runs runs" "median ms" "min ms"
for variant in direct jar launcher; do
  case $variant in
    direct) cmd=(env) label="no wrapper (baseline: fork+exec)" ;;
    jar) cmd=(java -jar "$jar" run --) label="java -jar integcov.jar run" ;;
    launcher) cmd=("$launcher" run --) label="installed launcher (integcov install)" ;;
  esac
  samples=$(startup "${cmd[@]}")
  printf '%-48s %10s %10s\n' "  $label" "$(median <<<"$samples")" "$(minimum <<<"$samples")"
done

# (b) RSS of the wrapper JVM while the child (sleep) runs
rss() {
  "$@" sleep 3 2>/dev/null &
  local pid=$!
  sleep 2
  awk '/^VmRSS|^VmHWM/ {printf "%s %s kB  ", $1, $2}' "/proc/$pid/status"
  wait "$pid"
}
echo
echo "(b) wrapper RSS while the child runs"
echo "  java -jar integcov.jar run:   $(rss java -jar "$jar" run --)"
echo "  installed launcher:           $(rss "$launcher" run --)"

# (c) upload of 100 files (4 KiB each, like Go counter files; plus a covmeta) after the child exits
make_files='for i in $(seq 100); do head -c 4096 /dev/urandom > "$GOCOVERDIR/covcounters.bench.$i"; done; head -c 2048 /dev/urandom > "$GOCOVERDIR/covmeta.bench"'
upload() {
  local storage=$1 label=$2 cov="$work/cov-$RANDOM" out
  mkdir -p "$cov"
  local t0 t1
  t0=$(date +%s%N)
  out=$(GOCOVERDIR=$cov INTEGCOV_STORAGE=$storage INTEGCOV_POD_NAMESPACE=bench INTEGCOV_POD_NAME=pod \
    "$launcher" run -- sh -c "$make_files" 2>&1 >/dev/null)
  t1=$(date +%s%N)
  local inner; inner=$(grep -o 'in [0-9]* ms' <<<"$out" | tr -dc 0-9)
  [[ -n $inner ]] || { echo "upload to $storage failed: $out" >&2; return 1; }
  printf '  %-30s upload %6s ms (storage client set-up included), whole wrapper run %6s ms\n' \
    "$label" "$inner" "$(( (t1 - t0) / 1000000 ))"
}
echo
echo "(c) upload of 101 files after the child exits (reported by the wrapper; 3 runs)"
for i in 1 2 3; do upload "file://$work/store" "file://"; done
if [[ -x $fake_gcs ]]; then
  port=$(shuf -i 20000-60000 -n 1)
  mkdir -p "$work/gcs-data/bench"
  "$fake_gcs" -scheme http -backend memory -data "$work/gcs-data" -host 127.0.0.1 -port "$port" \
    -external-url "http://127.0.0.1:$port" -log-level error >/dev/null 2>&1 &
  gcs_pid=$!
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/storage/v1/b" >/dev/null && break; sleep 0.1; done
  export STORAGE_EMULATOR_HOST="http://127.0.0.1:$port"
  for i in 1 2 3; do upload "gs://bench/runs" "gs:// (fake-gcs-server)"; done
else
  echo "  gs://: skipped, $fake_gcs missing (src/ci/install-fake-gcs.sh)"
fi
echo
echo "integcov.jar: $(( $(stat -c %s "$jar") / 1024 / 1024 )) MiB; java: $(java -version 2>&1 | head -1); $(nproc) cores; load $(cut -d' ' -f1-3 /proc/loadavg)"
