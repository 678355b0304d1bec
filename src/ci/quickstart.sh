#!/usr/bin/env bash
# Runs the README's "Quick start on kind" as written, on this one machine: its ```sh blocks, in order, from the
# repository root, with `set -euo pipefail`. kind and Docker are not used; four kinds of line are replaced, and only
# these:
#   kind create cluster ...              -> nothing: the local single-node cluster (src/ci/cluster/up.sh) is started
#                                           before the script and KUBECONFIG points at it
#   docker build -f F -t NAME CONTEXT    -> src/ci/images/build.sh docker-build -f F -t NAME CONTEXT (buildah, no
#                                           daemon; the Dockerfiles' base images swapped for local stand-ins)
#   kind load docker-image --name C N... -> src/ci/images/build.sh load SOCK N... (into the cluster's containerd)
#   kind delete cluster ...              -> nothing: the cluster is stopped after the script (src/ci/cluster/down.sh)
# kind pulls the default store's image (docker.io/fsouza/fake-gcs-server) from Docker Hub by itself; no registry is
# reachable here, so a stand-in of it is imported under that name before the script runs (src/ci/cluster/store-standin.sh).
# When a rule no longer matches a line of the README, or a docker or kind command is left over, the README and this
# script have drifted apart and it fails before running anything.
#
#   src/ci/quickstart.sh [WORKDIR]    run it (Linux, as root; default WORKDIR target/quickstart, logs stay there)
#   src/ci/quickstart.sh --print      print the script it would run and exit (no root, no cluster)
#
# Needs what .ci/run installs (JDK 17, Maven, Go, containerd, runc, CNI plugins, iptables, nfacct, jq, buildah, debootstrap)
# and the Kubernetes binaries and fake-gcs-server (src/ci/build-k8s.sh, src/ci/install-fake-gcs.sh: both are run here).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
log() { printf 'quickstart: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# the ```sh blocks of the README's section "## Quick start on kind", up to the next "## " heading
readme_blocks() {
  awk '/^## / { in_section = ($0 ~ /^## Quick start on kind/) ; next }
       in_section && /^```sh$/ { in_block = 1; next }
       in_section && in_block && /^```$/ { in_block = 0; print ""; next }
       in_section && in_block { print }' "$repo/README.md"
}

# the README's blocks with the four substitutions; fails when they no longer fit the README
quickstart_script() {
  local body rule count
  body=$(readme_blocks)
  [[ -n $body ]] || die "README.md has no \`\`\`sh block under '## Quick start on kind'"
  # the replacements are written into the script as they are: its variables expand when it runs
  # shellcheck disable=SC2016
  declare -A rules=(
    ['^kind create cluster( .*)?$']=': "kind create cluster: the local cluster is up (src/ci/cluster/up.sh)"'
    ['^docker build ']='"$QUICKSTART_BUILD" docker-build '
    ['^kind load docker-image --name [^ ]+ ']='"$QUICKSTART_BUILD" load "$CONTAINERD_ADDRESS" '
    ['^kind delete cluster( .*)?$']=': "kind delete cluster: the local cluster is stopped after the script"'
  )
  for rule in "${!rules[@]}"; do
    count=$(grep -cE -- "$rule" <<< "$body" || true)
    ((count > 0)) || die "the README's quick start has no line matching /$rule/: README.md and src/ci/quickstart.sh drifted apart"
    body=$(sed -E "s|$rule|${rules[$rule]//|/\\|}|" <<< "$body")
  done
  if grep -nE '^[[:space:]]*(docker|kind)( |$)' <<< "$body" >&2; then
    die "a docker or kind command of the README's quick start has no substitute here: README.md and src/ci/quickstart.sh drifted apart"
  fi
  printf '%s\n' "$body"
}

if [[ ${1:-} == --print ]]; then quickstart_script; exit 0; fi
[[ $# -le 1 ]] || die "usage: quickstart.sh [WORKDIR] | --print"
[[ $(id -u) == 0 ]] || die "run as root (the local cluster's kubelet, containerd and runc, and buildah need it)"
work=$(realpath -m "${1:-$repo/target/quickstart}")
script=$(quickstart_script)
mkdir -p "$work"
printf '%s\n' "$script" > "$work/quickstart.sh"

export INTEGCOV_CACHE=${INTEGCOV_CACHE:-$HOME/.cache/integcov}
"$repo/src/ci/install-fake-gcs.sh"
"$repo/src/ci/build-k8s.sh"
log "starting the local cluster (logs in $work/cluster/logs)"
env_file=$("$repo/src/ci/cluster/up.sh" "$work/cluster")
trap '"$repo/src/ci/cluster/down.sh" || log "warning: down.sh failed"' EXIT
# shellcheck source=/dev/null
source "$env_file"
export KUBECONFIG=$ADMIN_KUBECONFIG CONTAINERD_ADDRESS QUICKSTART_BUILD=$repo/src/ci/images/build.sh
export PATH=$INTEGCOV_CACHE/bin:$PATH             # kubectl of the cluster's own version
log "the default store's image, as kind would pull it: a stand-in of docker.io/fsouza/fake-gcs-server:1.56.1"
"$repo/src/ci/cluster/store-standin.sh" > /dev/null
log "running the README's quick start ($work/quickstart.sh)"
cd "$repo"
started=$SECONDS
bash -euo pipefail -x "$work/quickstart.sh"
log "the README's quick start ran as written in $((SECONDS - started)) s"
