#!/usr/bin/env bash
# integcov's main job for real on this one machine (Linux, as root), from a fresh checkout:
#   1. builds integcov's CLI (mvn package) and, once, the Kubernetes binaries (src/ci/build-k8s.sh: etcd,
#      kube-apiserver, kube-controller-manager, kube-scheduler, kubelet, kube-proxy, kubectl; ~10 min cold) and the
#      static fake-gcs-server (src/ci/install-fake-gcs.sh)
#   2. starts a local single-node cluster (src/ci/cluster/up.sh: kubelet + containerd + runc, kube-proxy, CoreDNS)
#   3. builds integcov's images from deploy/docker without a Docker daemon or registry (src/ci/images/build.sh:
#      buildah, stand-in base images; 6-15 min cold, seconds when unchanged) and imports them into containerd, with
#      the default store's stand-in image (the static fake-gcs-server and busybox) and covapp built with -cover
#   4. installs integcov as users do: `kubectl apply -k` of an overlay of deploy/ that only renames the images; the
#      operator, the webhook (2 replicas, behind its Service) and the default store run as pods
#   5. applies a CoverageCapture without storage, runs covapp as a Deployment in a labelled namespace, sends it a few
#      requests, scales it to 0 and prints `integcov collect` (given only a kubeconfig) and `go tool cover -func`
#   6. stops the cluster; the host is as before (src/ci/cluster/down.sh)
#
#   src/ci/demo.sh [WORKDIR]      (default e2e/target/demo; logs stay there)
#
# Needs JDK 17, Maven, Go >= 1.26 (or GOTOOLCHAIN=auto), containerd, runc, containernetworking-plugins, iptables,
# jq, buildah, debootstrap, busybox-static: `.ci/run`'s apt-get line installs them all.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $(id -u) == 0 ]] || { echo "demo: run as root (the kubelet, containerd and runc need it)" >&2; exit 1; }
work=$(realpath -m "${1:-e2e/target/demo}")

echo "demo: building integcov's CLI and the e2e classes (mvn package -DskipTests; nothing is installed into ~/.m2)" >&2
# one reactor build; build-classpath then names the e2e module's classpath with the freshly built modules' jars
mvn -B -ntp -q package -DskipTests dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/demo.classpath
src/ci/build-k8s.sh
src/ci/install-fake-gcs.sh
exec java -cp "e2e/target/test-classes:$(cat e2e/target/demo.classpath)" -Dintegcov.root="$PWD" \
  -Dbasedir="$PWD/e2e" io.integcov.e2e.Demo "$work"
