#!/usr/bin/env bash
# integcov collect vs a plain sequential download of the same 10,200 objects (100 pods x 100 counter files + covmeta +
# manifest, real covapp coverage data) from fake-gcs-server on loopback, in the same JVM and run.
#
# Usage: bench/collect/run.sh [RUNS] [PODS]   (defaults 3 and 100; SKIP_BUILD=1 reuses cli/target/integcov.jar)
# Needs Go (covapp, go tool covdata) and fake-gcs-server (src/ci/install-fake-gcs.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs="${1:-3}"
pods="${2:-100}"
fake_gcs="${INTEGCOV_CACHE:-$HOME/.cache/integcov}/bin/fake-gcs-server"
[[ -x "$fake_gcs" ]] || { echo "fake-gcs-server missing: run src/ci/install-fake-gcs.sh" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -q -o -pl cli -am install -DskipTests)
fi
cp "$root/cli/target/integcov.jar" "$tmp/integcov.jar" # a snapshot: immune to a rebuild while the bench runs
(cd "$root/testapps/covapp" && go build -cover -o "$tmp/covapp" .)
mkdir "$tmp/covdata"
GOCOVERDIR="$tmp/covdata" "$tmp/covapp" -work 20 >/dev/null
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

# http.maxConnections: the JDK's keep-alive pool size, read once per JVM; collect sets it to --parallel itself, but
# here the sequential baseline runs first in the same JVM
STORAGE_EMULATOR_HOST="127.0.0.1:$port" java -Dhttp.maxConnections=16 -cp "$tmp/integcov.jar" "$here/CollectBench.java" \
  "$fake_gcs" "$port" "$tmp/covdata" "$runs" "$pods"
