#!/usr/bin/env bash
# Latency benchmark of the webhook's POST /mutate on loopback (HTTPS, JVM mode, CoverageCaptures from captures.yaml).
# Usage: bench/webhook-latency/run.sh [REQUESTS] [CONCURRENCY] [WARMUP]   (set SKIP_BUILD=1 to reuse webhook/target)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
port="${PORT:-18443}"
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  (cd "$root" && mvn -B -q -pl webhook -am install -DskipTests)
fi
tmp="$(mktemp -d)"
server_pid=""
cleanup() { [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=127.0.0.1" -addext "subjectAltName=IP:127.0.0.1" \
  -keyout "$tmp/tls.key" -out "$tmp/tls.crt" 2>/dev/null
java -Dintegcov.tls-dir="$tmp" -Dquarkus.http.ssl-port="$port" -Dquarkus.http.host=127.0.0.1 \
  -Dintegcov.captures.source=file -Dintegcov.captures.file="$here/captures.yaml" -Dquarkus.log.level=WARN \
  -jar "$root/webhook/target/quarkus-app/quarkus-run.jar" > "$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do  # up to ~20 s for the server to listen
  curl -sk -o /dev/null "https://127.0.0.1:$port/mutate" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.log"; exit 1; }
  sleep 0.2
done
java "$here/Bench.java" "https://127.0.0.1:$port/mutate" "$here/review.json" "${1:-5000}" "${2:-4}" "${3:-2000}"
