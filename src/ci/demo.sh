#!/usr/bin/env bash
# integcov's main job for real on this one machine (Linux, as root), from a fresh checkout:
#   1. builds integcov (mvn package: cli, operator, webhook, the Go agent) and, once, the Kubernetes binaries
#      (src/ci/build-k8s.sh: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kubelet; ~10 min cold)
#   2. starts a local single-node cluster (src/ci/cluster/up.sh: kubelet + containerd + runc, everything on 127.0.0.1)
#   3. builds the images without a registry (agent FROM scratch, testapps/covapp built with -cover) into containerd
#   4. installs deploy/: CRD, RBAC, MutatingWebhookConfiguration; the operator and the webhook run on this host as
#      their deploy/ ServiceAccounts (their images need Docker to build; the agent and app images do not)
#   5. applies a CoverageCapture, runs covapp as a Deployment in a labelled namespace, sends it a few requests,
#      scales it to 0 and prints `integcov collect` and `go tool cover -func` output
#   6. stops the cluster; the host is as before (src/ci/cluster/down.sh)
#
#   src/ci/demo.sh [WORKDIR]      (default e2e/target/demo; logs stay there)
#
# Needs JDK 17, Maven, Go >= 1.26 (or GOTOOLCHAIN=auto), containerd, runc, containernetworking-plugins, iptables,
# jq: `.ci/run`'s apt-get line installs them all.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $(id -u) == 0 ]] || { echo "demo: run as root (the kubelet, containerd and runc need it)" >&2; exit 1; }
work=$(realpath -m "${1:-e2e/target/demo}")

echo "demo: building integcov (mvn package -DskipTests; nothing is installed into ~/.m2)" >&2
# one reactor build; build-classpath then names the e2e module's classpath with the freshly built modules' jars
mvn -B -ntp -q package -DskipTests dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/demo.classpath
src/ci/build-k8s.sh
exec java -cp "e2e/target/test-classes:$(cat e2e/target/demo.classpath)" -Dintegcov.root="$PWD" \
  -Dbasedir="$PWD/e2e" io.integcov.e2e.Demo "$work"
