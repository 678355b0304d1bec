#!/usr/bin/env bash
# Imports a stand-in of the default store's image into the running local cluster, for a cluster that cannot pull
# from Docker Hub: deploy/base/store.yaml's docker.io/fsouza/fake-gcs-server:TAG is imported as
# localhost/integcov-standin/fake-gcs-server:TAG and, as if it had been pulled, under its own name too.
#
#   src/ci/cluster/store-standin.sh          (as root, with a cluster started by up.sh)
#
# The image holds the cached fake-gcs-server of exactly that version (src/ci/install-fake-gcs.sh builds it static)
# at /bin/fake-gcs-server, and a static busybox (Debian's busybox-static) as /bin/busybox, /bin/mkdir and /bin/sh:
# the public image is Alpine-based and has them; store.yaml's init container runs /bin/mkdir.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
source "$here/lib.sh"

public=docker.io/fsouza/fake-gcs-server
tag=$(grep -oE "image: $public:[^[:space:]]+" "$repo/deploy/base/store.yaml" | head -n1 | sed 's/.*://')
[[ -n $tag ]] || die "deploy/base/store.yaml names no $public image"
server=$K8S_BIN/fake-gcs-server
stamp=$(cat "$K8S_BIN/fake-gcs-server.version" 2>/dev/null || echo none)
[[ -x $server && $stamp == "v$tag CGO_ENABLED=0" ]] \
  || die "$server is not the static build of v$tag (stamp: $stamp): run src/ci/install-fake-gcs.sh"
busybox=${INTEGCOV_BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || die "$busybox is missing (apt-get install busybox-static)"
ldd "$busybox" >/dev/null 2>&1 && die "$busybox is linked dynamically; the image has no libc (apt-get install busybox-static)"

"$here/image.sh" --entrypoint /bin/fake-gcs-server "integcov-standin/fake-gcs-server:$tag" \
  "$server=/bin/fake-gcs-server" "$busybox=/bin/busybox" "$busybox=/bin/mkdir" "$busybox=/bin/sh" > /dev/null
[[ -f $STATE_DIR/workdir ]] || die "no local cluster is running"
sock="$(cat "$STATE_DIR/workdir")/containerd/containerd.sock"
ctr --address "$sock" -n k8s.io images tag --force "localhost/integcov-standin/fake-gcs-server:$tag" "$public:$tag" >/dev/null
echo "localhost/integcov-standin/fake-gcs-server:$tag $public:$tag"
