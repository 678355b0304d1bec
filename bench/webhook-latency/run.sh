#!/usr/bin/env bash
# Throughput and latency of the webhook's POST /mutate on loopback (HTTPS, JVM mode, CoverageCaptures from
# captures.yaml), with `hey` as the client, side by side with a baseline build in the same run.
#
# Usage: bench/webhook-latency/run.sh
#   BASELINE_REV=<git rev>   build that revision's webhook in a temporary worktree and measure it first (default: none)
#   BASELINE_APP=<dir>       or use an already built quarkus-app directory as the baseline
#   SKIP_BUILD=1             reuse webhook/target/quarkus-app for the current tree
#   REQUESTS=20000 WARMUP=80000 BLOCK=10000 PORT=18443
# For each app and each JVM setting (the JVM's defaults, and JAVA_TOOL_OPTIONS + MALLOC_ARENA_MAX of
# deploy/base/webhook.yaml) it prints the warm-up from a cold start (requests/s of each BLOCK of the first WARMUP
# requests at concurrency 16, and RSS after 20,000), then requests/s and p50/p99 at concurrency 1, 16 and 64 warm, RSS
# after the load, and the answer time of a 0.5 MB pod (5,500 env vars), a 2.9 MB pod (below the API server's 3 MiB
# limit) and a 3.6 MB body (above it). Loopback only; every request loop is bounded.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${PORT:-18443}"
requests="${REQUESTS:-20000}"
warmup="${WARMUP:-80000}"
block="${BLOCK:-10000}"
cache="${INTEGCOV_CACHE:-$HOME/.cache/integcov}/bin"
tmp="$(mktemp -d)"
server_pid=""
worktree=""
stop_server() { # SIGTERM, then SIGKILL after 15 s (a JVM killed mid-load may wait for open connections)
  [[ -z "$server_pid" ]] && return 0
  kill "$server_pid" 2>/dev/null || true
  for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  stop_server
  [[ -n "$worktree" ]] && git -C "$root" worktree remove --force "$worktree" >/dev/null 2>&1
  rm -rf "$tmp"
}
trap cleanup EXIT

hey="$(command -v hey || true)"
if [[ -z "$hey" ]]; then
  hey="$cache/hey"
  if [[ ! -x "$hey" ]]; then
    mkdir -p "$cache"
    GOBIN="$cache" go install github.com/rakyll/hey@v0.1.4
  fi
fi

if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -q -o -pl webhook -am package -DskipTests)
fi
current="$root/webhook/target/quarkus-app"
baseline="${BASELINE_APP:-}"
if [[ -z "$baseline" && -n "${BASELINE_REV:-}" ]]; then
  worktree="$tmp/baseline-src"
  git -C "$root" worktree add --detach "$worktree" "$BASELINE_REV" >/dev/null
  (cd "$worktree" && mvn -B -q -o -pl webhook -am package -DskipTests)
  baseline="$worktree/webhook/target/quarkus-app"
fi

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
# the JVM flags and malloc setting deploy/ gives the webhook
deploy_env() { grep -A1 "name: $1\$" "$root/deploy/base/webhook.yaml" | sed -n 's/^ *value: *"\{0,1\}\([^"]*\)"\{0,1\}$/\1/p'; }
deploy_flags="$(deploy_env JAVA_TOOL_OPTIONS)"
deploy_arenas="$(deploy_env MALLOC_ARENA_MAX)"
python3 - "$here/review.json" "$tmp" <<'EOF'
import json, sys
review = json.load(open(sys.argv[1]))
for name, count in (("env-5500", 5500), ("env-2.9MB", 27000), ("env-3.6MB", 34000)):
    r = json.loads(json.dumps(review))
    r["request"]["object"]["spec"]["containers"][0]["env"] = [
        {"name": "VAR_%d" % i, "value": "value-%d-%s" % (i, "v" * 60)} for i in range(count)]
    json.dump(r, open("%s/%s.json" % (sys.argv[2], name), "w"))
EOF

start_server() { # app-dir flags malloc-arenas
  # integcov.native-sidecars: there is no API server to ask for its version
  env ${3:+MALLOC_ARENA_MAX=$3} JAVA_TOOL_OPTIONS="$2" java -Dintegcov.native-sidecars=true -Dintegcov.tls-dir="$tmp" -Dquarkus.http.ssl-port="$port" -Dquarkus.http.host=127.0.0.1 \
    -Dintegcov.captures.source=file -Dintegcov.captures.file="$here/captures.yaml" \
    -jar "$1/quarkus-run.jar" > "$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 150); do  # up to ~30 s for the server to listen
    curl -sk -o /dev/null "https://127.0.0.1:$port/q/health/live" && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log"; exit 1; }
    sleep 0.2
  done
  echo "server did not start"; cat "$tmp/server.log"; exit 1
}

load() { # count concurrency -> "req/s p50 p99" (ms)
  # -host: hey would send "127.0.0.1:PORT" as TLS server name, which the JDK rejects (illegal_parameter)
  timeout 900 "$hey" -n "$1" -c "$2" -host localhost -m POST -T application/json -D "$here/review.json" "https://127.0.0.1:$port/mutate" \
    > "$tmp/hey.txt"
  if sed -n '/Status code distribution/,$p' "$tmp/hey.txt" | grep -E '^ *\[[0-9]+\]' | grep -vq '\[200\]' \
      || grep -q 'Error distribution' "$tmp/hey.txt"; then
    echo "answers other than 200:"; sed -n '/Status code/,$p' "$tmp/hey.txt"; exit 1
  fi
  awk '/Requests\/sec/ {rps=$2} / 50% in/ {p50=$3*1000} / 99% in/ {p99=$3*1000} END {printf "%6.0f req/s  p50 %6.2f ms  p99 %6.2f ms", rps, p50, p99}' "$tmp/hey.txt"
}

rss() { awk '/VmRSS/ {printf "%d MiB", $2/1024}' "/proc/$server_pid/status"; }

one() { # file -> "HTTP status, seconds"
  curl -sk --http1.1 -o "$tmp/answer.json" -w '%{http_code} %{time_total}s' --max-time 120 -H 'Content-Type: application/json' \
    --data-binary @"$1" "https://127.0.0.1:$port/mutate" || echo "failed (curl exit $?)"
}

measure() { # label app-dir flags malloc-arenas
  echo "== $1 (JAVA_TOOL_OPTIONS=${3:-none}${4:+, MALLOC_ARENA_MAX=$4})"
  start_server "$2" "$3" "$4"
  echo "   idle RSS $(rss)"
  one "$here/review.json" > /dev/null
  grep -q '"patchType":"JSONPatch"' "$tmp/answer.json" || { echo "no JSONPatch in: $(cat "$tmp/answer.json")"; exit 1; }
  local done=0 curve="" rss20k=""
  while (( done < warmup )); do
    curve="$curve $(load "$block" 16 | awk '{print $1}')"
    done=$((done + block))
    [[ -z "$rss20k" && $done -ge 20000 ]] && rss20k="$(rss)"
  done
  echo "   warm-up, req/s of each $block at c=16 from a cold start:$curve"
  echo "   RSS after 20,000 requests: ${rss20k:-not reached}"
  for c in 1 16 64; do
    n=$requests; [[ $c == 1 ]] && n=$((requests / 4))
    echo "   c=$c n=$n: $(load "$n" "$c")"
  done
  echo "   RSS after $((warmup + requests * 9 / 4)) requests: $(rss)"
  echo "   5,500-env pod ($(stat -c %s "$tmp/env-5500.json") bytes): $(one "$tmp/env-5500.json"), RSS $(rss)"
  for big in env-2.9MB env-3.6MB; do
    echo "   $big pod ($(stat -c %s "$tmp/$big.json") bytes): $(one "$tmp/$big.json"), RSS $(kill -0 "$server_pid" 2>/dev/null && rss || echo 'process gone')"
  done
  stop_server
}

if [[ -n "$baseline" ]]; then
  measure "baseline ${BASELINE_REV:-$baseline}, JVM defaults" "$baseline" "" ""
  [[ -n "$deploy_flags" ]] && measure "baseline ${BASELINE_REV:-$baseline}, deploy/ settings" "$baseline" "$deploy_flags" "$deploy_arenas"
fi
measure "current tree, JVM defaults" "$current" "" ""
[[ -n "$deploy_flags" ]] && measure "current tree, deploy/ settings" "$current" "$deploy_flags" "$deploy_arenas"
