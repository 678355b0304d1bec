#!/usr/bin/env bash
# Latency of the first admissions after a webhook pod becomes Ready, against the same pod warm, in the e2e's local
# cluster with integcov installed as users install it (e2e/README.md). Runs the e2e module's FirstAdmissionsBench
# (e2e/src/test/java/io/integcov/e2e/FirstAdmissionsBench.java: what it does is in its Javadoc) and prints its table.
#
# Usage: bench/first-admissions.sh [MAVEN ARGS...]    e.g. -Dmaven.repo.local=DIR
# Needs what the e2e needs (root, the binaries of src/ci/build-k8s.sh, buildah, ...) and the modules the e2e uses
# installed in the Maven repository (mvn -B install -DskipTests -pl '!e2e,!bench,!dist'). Takes the machine's one local
# cluster (it waits for the cluster lock like the e2e) for a few minutes. The full output is in
# e2e/target/first-admissions.log.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
log="$root/e2e/target/first-admissions.log"
mkdir -p "$(dirname "$log")"
cd "$root"
status=0
mvn -B -ntp -pl e2e verify -Dtest=FirstAdmissionsBench -Dintegcov.bench=true -Dsurefire.failIfNoSpecifiedTests=false \
  "$@" >"$log" 2>&1 || status=$?
# the bench's table: from its heading to the target line
sed -n '/^first admissions after a webhook pod becomes Ready/,/^target p99/p' "$log"
# the summary of all rounds, warm-up off against on: from its heading to the first line that is not its table
awk '/^summary, /{on=1} on && (/^\[/ || /^$/){exit} on' "$log"
if [[ $status -ne 0 ]]; then
  echo "first-admissions: mvn failed (exit $status); see $log" >&2
  grep -E 'ERROR|FAIL|NOT AS EXPECTED' "$log" | head -40 >&2 || true
fi
exit "$status"
