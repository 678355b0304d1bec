#!/usr/bin/env bash
# Builds integcov's images with buildah from deploy/docker/*.Dockerfile, without a Docker daemon or a container
# registry, and imports them into a containerd.
#
#   src/ci/images/build.sh OUTDIR [IMAGE...]     build, check and write OUTDIR/IMAGE.oci.tar; prints the archive paths
#   src/ci/images/build.sh import SOCK PATH...   import archives (or every *.oci.tar in a directory PATH) into the
#                                                containerd at socket SOCK, namespace k8s.io (where the kubelet looks)
#   src/ci/images/build.sh docker-build -f DOCKERFILE -t NAME CONTEXT
#                                                what `docker build` does, with the stand-in bases below as build args
#   src/ci/images/build.sh load SOCK NAME...     what `kind load docker-image` does: the images built by docker-build
#                                                into that containerd, under the names Docker would give them
#                                                (covapp:1 -> docker.io/library/covapp:1)
#
# IMAGE is agent, operator, webhook (the default: all three) or integcov (the CLI). The images are named
# $INTEGCOV_IMAGE_PREFIX/IMAGE:0.1.0 (default prefix localhost/integcov, e.g. localhost/integcov/webhook:0.1.0), the
# CLI localhost/integcov/integcov:0.1.0-jvm; containerd keeps these names on import, so a kustomize overlay of deploy/
# only sets `newName: localhost/integcov/IMAGE` and a pull policy that never pulls.
#
# The Dockerfiles are used as they are; only their base images are swapped, through their ARGs, for stand-ins built
# here from Debian packages (a debootstrap bookworm minbase) and the machine's Go toolchain:
#   GO_IMAGE      localhost/integcov-standin/golang:1.26   Debian + $(go env GOROOT) at /usr/local/go
#   MAVEN_IMAGE   localhost/integcov-standin/maven:3-jdk17 Debian + openjdk-17-jdk-headless + maven
#   RUNTIME_IMAGE localhost/integcov-standin/jre:17        Debian + openjdk-17-jre-headless
# deploy/README.md says how they differ from the public bases.
#
# Runs as root (buildah with the overlay storage driver and chroot isolation). Needs buildah, debootstrap, the Go
# toolchain, Debian's package mirror, Maven Central and the Go module proxy; ctr for `import`.
# Everything is cached in ${INTEGCOV_CACHE:-~/.cache/integcov}/images (buildah's own storage, not the machine's):
# the stand-ins (rebuilt only when their inputs change: a label on each holds the hash of its inputs), the build's
# layers (unchanged sources build in seconds) and the Dockerfiles' cache mounts (/root/.m2, /go/pkg/mod, the Go build
# cache). Delete that directory to start cold. Untagged images (old layers) are removed when the storage grows past
# $INTEGCOV_IMAGES_MAX_GB GB (default 8).
# Environment: INTEGCOV_IMAGE_PREFIX, INTEGCOV_DEBIAN_MIRROR (default http://deb.debian.org/debian),
# INTEGCOV_DEBIAN_SECURITY_MIRROR (default http://deb.debian.org/debian-security), INTEGCOV_LOCAL_CA_DIR (default
# /usr/local/share/ca-certificates: the machine's own CAs, *.crt, that the Go and Maven stand-ins trust too).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)

tag=0.1.0                                            # the tag deploy/base/kustomization.yaml gives the images
prefix=${INTEGCOV_IMAGE_PREFIX:-localhost/integcov}
cache=${INTEGCOV_CACHE:-$HOME/.cache/integcov}/images
debian_suite=bookworm
debian_mirror=${INTEGCOV_DEBIAN_MIRROR:-http://deb.debian.org/debian}
debian_security_mirror=${INTEGCOV_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
standin=localhost/integcov-standin
local_ca_dir=${INTEGCOV_LOCAL_CA_DIR:-/usr/local/share/ca-certificates}
label=io.integcov.standin.inputs                    # the hash of what a stand-in was built from

log() { printf 'images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# buildah on the cache's own storage (its run-time state on tmpfs, one directory per storage); TMPDIR is where
# buildah 1.28 keeps the RUN --mount=type=cache directories
runroot=/run/integcov-images/$(printf '%s' "$cache" | sha256sum | cut -c1-12)
bh() {
  TMPDIR="$cache/tmp" buildah --root "$cache/storage" --runroot "$runroot" --storage-driver overlay "$@"
}

# --- stand-in base images ---

# the input hash stored on an image, empty when the image is missing
inputs_of() { bh inspect -t image --format "{{index .OCIv1.Config.Labels \"$label\"}}" "$1" 2>/dev/null || true; }
image_id() { bh inspect -t image --format '{{.FromImageID}}' "$1"; }

# Debian bookworm minbase from the package mirror, with the updates and security suites for the stand-ins' packages
make_debian() {
  local ref=$1 inputs=$2 rootfs="$cache/tmp/rootfs" c mnt
  rm -rf "$rootfs"; mkdir -p "$rootfs"
  log "debootstrap --variant=minbase $debian_suite from $debian_mirror"
  debootstrap --variant=minbase "$debian_suite" "$rootfs" "$debian_mirror" > "$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; die "debootstrap failed (whole log: $cache/debootstrap.log)"; }
  cat > "$rootfs/etc/apt/sources.list" <<EOF
deb $debian_mirror $debian_suite main
deb $debian_mirror $debian_suite-updates main
deb $debian_security_mirror $debian_suite-security main
EOF
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log
  c=$(bh from scratch)
  mnt=$(bh mount "$c")
  tar -C "$rootfs" -cf - . | tar -C "$mnt" -xpf -
  bh umount "$c" >/dev/null
  bh config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd /bin/bash \
    --label "$label=$inputs" "$c"
  bh commit -q --rm "$c" "$ref" >/dev/null
  rm -rf "$rootfs"
}

# builds stand-in REF from standins/FILE on the Debian base with context CONTEXT and the machine's local CAs as build
# context local-ca, unless its inputs are unchanged
standin() {
  local ref=$1 file=$2 context=$3 extra=${4:-} base="$standin/debian:$debian_suite" ca_dir inputs
  ca_dir=$local_ca_dir
  [[ -d $ca_dir ]] || { ca_dir="$cache/tmp/no-local-ca"; mkdir -p "$ca_dir"; }
  inputs=$( (printf '%s\n' "$(image_id "$base")" "$extra"; cat "$here/standins/$file";
             find "$ca_dir" -name '*.crt' -type f -print0 | sort -z | xargs -0r cat) | sha256sum | cut -c1-32)
  [[ $(inputs_of "$ref") == "$inputs" ]] && return
  log "building stand-in $ref"
  bh bud --isolation chroot --force-rm --layers=false --build-arg "BASE=$base" --label "$label=$inputs" \
    --build-context "local-ca=$ca_dir" \
    -f "$here/standins/$file" -t "$ref" "$context" > "$cache/standin.log" 2>&1 \
    || { tail -30 "$cache/standin.log" >&2; die "stand-in $ref failed (whole log: $cache/standin.log)"; }
}

standins() {
  local debian="$standin/debian:$debian_suite" inputs goroot
  inputs=$(printf '%s\n' "$debian_mirror" "$debian_security_mirror" "$(declare -f make_debian)" | sha256sum | cut -c1-32)
  [[ $(inputs_of "$debian") == "$inputs" ]] || make_debian "$debian" "$inputs"
  goroot=$(go env GOROOT)
  standin "$standin/golang:1.26" golang.Containerfile "$goroot" "$(go version)"
  standin "$standin/maven:3-jdk17" maven.Containerfile "$here/standins"
  standin "$standin/jre:17" jre.Containerfile "$here/standins"
}

# --- the images ---

dockerfile_of() { case $1 in agent) echo agent.Dockerfile ;; *) echo "$1.jvm.Dockerfile" ;; esac; }
ref_of() { case $1 in integcov) echo "$prefix/integcov:$tag-jvm" ;; *) echo "$prefix/$1:$tag" ;; esac; }

build_image() {
  local name=$1 ref start=$SECONDS
  ref=$(ref_of "$name")
  # the sources only (context.ignore: no build output, no VCS data); --layers reuses every step whose inputs are
  # unchanged, so unchanged sources cost no Maven or Go run at all
  local bases=(--build-arg "MAVEN_IMAGE=$standin/maven:3-jdk17" --build-arg "RUNTIME_IMAGE=$standin/jre:17")
  [[ $name == agent ]] && bases=(--build-arg "GO_IMAGE=$standin/golang:1.26")
  bh bud --isolation chroot --force-rm --layers --ignorefile "$here/context.ignore" "${bases[@]}" \
    -f "$repo/deploy/docker/$(dockerfile_of "$name")" -t "$ref" "$repo" > "$cache/$name.build.log" 2>&1 \
    || { tail -40 "$cache/$name.build.log" >&2; die "building $ref failed (whole log: $cache/$name.build.log)"; }
  log "built $ref in $((SECONDS - start)) s"
}

# runs COMMAND... in a container of image REF (as the image's user, with its environment)
run_in() { local ref=$1 c rc=0; shift; c=$(bh from -q "$ref"); bh run "$c" -- "$@" || rc=$?; bh rm "$c" >/dev/null; return $rc; }

# the value of env NAME in a deploy/base manifest (one line `value: "..."` after `- name: NAME`), empty when unset
deploy_env() {
  awk -v n="$2" '$0 ~ "- name: " n "$" { getline; sub(/^[^:]*value: */, ""); gsub(/^"|"$/, ""); print; exit }' \
    "$repo/deploy/base/$1"
}

# fast checks without a cluster: the user, and that the entrypoint's program starts with the flags deploy/ gives it
check_image() {
  local name=$1 ref user version
  ref=$(ref_of "$name")
  user=$(bh inspect -t image --format '{{.OCIv1.Config.User}}' "$ref")
  [[ $user == 65532:65532 ]] || die "$ref runs as '$user', expected 65532:65532"
  case $name in
    agent)
      version=$(run_in "$ref" /integcov-agent version) || die "$ref: /integcov-agent version failed"
      [[ $version == *" $tag" ]] || die "$ref: /integcov-agent version says '$version', expected $tag"
      run_in "$ref" /integcov-agent-upload version >/dev/null || die "$ref: /integcov-agent-upload version failed" ;;
    operator|webhook)
      run_in "$ref" test -f /app/quarkus-run.jar || die "$ref has no /app/quarkus-run.jar"
      # the image's own entrypoint shape (sh -c exec java $JAVA_OPTS_APPEND ...) with deploy/'s JAVA_TOOL_OPTIONS;
      # $JAVA_OPTS_APPEND is the image's ENV, expanded by the container's sh
      # shellcheck disable=SC2016
      run_in "$ref" env "JAVA_TOOL_OPTIONS=$(deploy_env "$name.yaml" JAVA_TOOL_OPTIONS)" \
        sh -c 'exec java $JAVA_OPTS_APPEND -version' > "$cache/$name.java-version.log" 2>&1 \
        || { cat "$cache/$name.java-version.log" >&2; die "$ref: java refuses the flags of deploy/base/$name.yaml"; } ;;
    integcov)
      run_in "$ref" java -jar /opt/integcov/integcov.jar --help >/dev/null 2>&1 || die "$ref: integcov --help failed" ;;
  esac
}

# OUTDIR/NAME.oci.tar, rewritten only when the image changed (NAME.oci.tar.id holds the image id it was written from)
write_archive() {
  local name=$1 out=$2 ref id archive
  ref=$(ref_of "$name") archive="$out/$name.oci.tar"
  id=$(bh inspect -t image --format '{{.FromImageID}}' "$ref")
  if [[ ! -f $archive || ! -f $archive.id || $(cat "$archive.id") != "$id" ]]; then
    rm -f "$archive" "$archive.id"
    bh push -q "$ref" "oci-archive:$archive:$ref" >/dev/null
    echo "$id" > "$archive.id"
  fi
  echo "$archive"
}

# root, the tools, the storage lock (held until exit) and the stand-in bases
prepare() {
  [[ $(id -u) == 0 ]] || die "run as root (buildah with the overlay driver and chroot isolation)"
  command -v buildah >/dev/null || die "buildah is missing (apt-get install buildah)"
  command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
  mkdir -p "$cache/tmp"
  exec 9> "$cache/lock"
  flock 9                                          # one build at a time on the shared storage
  bh rm --all >/dev/null                           # working containers left by an interrupted run hold their images
  standins
}

build() {
  local out=$1 name start=$SECONDS; shift
  local names=("$@"); ((${#names[@]})) || names=(agent operator webhook)
  for name in "${names[@]}"; do
    case $name in agent|operator|webhook|integcov) ;; *) die "unknown image '$name' (agent, operator, webhook, integcov)" ;; esac
  done
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  prepare
  log "stand-ins ready after $((SECONDS - start)) s"
  for name in "${names[@]}"; do build_image "$name"; check_image "$name"; done
  for name in "${names[@]}"; do write_archive "$name" "$out"; done
  prune_when_big
  log "done in $((SECONDS - start)) s"
}

# Every change of the sources leaves the previous build's layers behind (a few hundred MB per JVM image). Past
# $INTEGCOV_IMAGES_MAX_GB (default 8) the untagged images go, this build's layer cache with them: the next build then
# runs Maven and Go again, on their warm cache mounts.
prune_when_big() {
  local max_gb=${INTEGCOV_IMAGES_MAX_GB:-8} used_kb
  used_kb=$(du -sxk "$cache/storage" | cut -f1)
  if ((used_kb > max_gb * 1024 * 1024)); then
    log "image storage uses $((used_kb / 1024 / 1024)) GB > $max_gb GB: removing untagged images"
    bh rmi --prune >/dev/null || log "warning: removing untagged images failed; the build itself is complete"
  fi
}

import_archives() {
  local sock=$1 path archive name; shift
  local archives=()
  for path in "$@"; do
    if [[ -d $path ]]; then archives+=("$path"/*.oci.tar); else archives+=("$path"); fi
  done
  for archive in "${archives[@]}"; do
    [[ -f $archive ]] || die "no such archive: $archive"
    name=$(tar -xOf "$archive" index.json | jq -r '.manifests[0].annotations["org.opencontainers.image.ref.name"]')
    ctr --address "$sock" -n k8s.io images import "$archive" >/dev/null \
      || die "ctr images import of $archive failed"
    # the whole list first: `ctr ... | grep -q` under pipefail fails when grep exits on the match before ctr has
    # written the lines after it (SIGPIPE)
    ctr --address "$sock" -n k8s.io images ls -q | grep -xF "$name" >/dev/null \
      || die "$name not listed by containerd after importing $archive"
    log "imported $name"
  done
}

# the stand-ins' build args for any Dockerfile: an ARG a Dockerfile does not declare is ignored
standin_args() {
  printf '%s\n' --build-arg "GO_IMAGE=$standin/golang:1.26" --build-arg "MAVEN_IMAGE=$standin/maven:3-jdk17" \
    --build-arg "RUNTIME_IMAGE=$standin/jre:17"
}

# docker build -f DOCKERFILE -t NAME CONTEXT (only these options: what the README's quick start uses)
docker_build() {
  local file="" name="" context="" start=$SECONDS args ignore=()
  while (($#)); do
    case $1 in
      -f) file=$2; shift 2 ;;
      -t) name=$2; shift 2 ;;
      -*) die "docker-build: unsupported option $1 (only -f and -t)" ;;
      *) [[ -z $context ]] || die "docker-build: one context only"; context=$1; shift ;;
    esac
  done
  [[ -n $file && -n $name && -n $context ]] || die "usage: build.sh docker-build -f DOCKERFILE -t NAME CONTEXT"
  prepare
  [[ $(cd "$context" && pwd) == "$repo" ]] && ignore=(--ignorefile "$here/context.ignore")
  mapfile -t args < <(standin_args)
  bh bud --isolation chroot --force-rm --layers "${ignore[@]}" "${args[@]}" -f "$file" -t "$name" "$context" \
    > "$cache/docker-build.log" 2>&1 \
    || { tail -40 "$cache/docker-build.log" >&2; die "building $name from $file failed (whole log: $cache/docker-build.log)"; }
  log "built $name from $file in $((SECONDS - start)) s"
}

# the name Docker (and so containerd's CRI) gives an image reference: covapp:1 -> docker.io/library/covapp:1,
# integcov/agent:0.1.0 -> docker.io/integcov/agent:0.1.0; a reference with a registry stays as it is
docker_name() {
  local first=${1%%/*}
  if [[ $1 != */* ]]; then echo "docker.io/library/$1"
  elif [[ $first == *.* || $first == *:* || $first == localhost ]]; then echo "$1"
  else echo "docker.io/$1"
  fi
}

# kind load docker-image NAME...: buildah named the image localhost/NAME; containerd gets it as Docker would name it
load_images() {
  local sock=$1 name archive; shift
  mkdir -p "$cache/tmp/load"
  for name in "$@"; do
    archive="$cache/tmp/load/$(printf '%s' "$name" | tr '/:' '__').oci.tar"
    rm -f "$archive"
    bh push -q "$name" "oci-archive:$archive:$(docker_name "$name")" >/dev/null || die "no image $name (build it first)"
    import_archives "$sock" "$archive"
    rm -f "$archive"
  done
}

case ${1:-} in
  ""|-h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
  import) [[ $# -ge 3 ]] || die "usage: build.sh import SOCK ARCHIVE|DIR..."; shift; import_archives "$@" ;;
  docker-build) shift; docker_build "$@" ;;
  load) [[ $# -ge 3 ]] || die "usage: build.sh load SOCK NAME..."; shift; load_images "$@" ;;
  *) build "$@" ;;
esac
