#!/usr/bin/env bash
# Builds a one-layer OCI image from local files (no registry, no Docker) and imports it into the running local
# cluster's containerd (namespace k8s.io, where the kubelet's CRI sees it; pods use imagePullPolicy: Never).
#
#   src/ci/cluster/image.sh [--entrypoint PATH]... [--env K=V]... [-o ARCHIVE] NAME:TAG SRC=DEST...
#
# NAME:TAG is stored as localhost/NAME:TAG. Each SRC file is copied to DEST in the image (mode 0755 for executables,
# 0644 otherwise, owner 0:0, mtime 0), and nothing else: the image is as empty as a distroless/scratch image.
# --entrypoint (repeatable) sets the image's ENTRYPOINT; without it the image has none (pods must give `command`).
# -o keeps the OCI archive; --no-import only writes it (no cluster needed).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib.sh"

entrypoint=() env=() out="" import=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --entrypoint) entrypoint+=("$2"); shift 2 ;;
    --env) env+=("$2"); shift 2 ;;
    -o) out=$2; shift 2 ;;
    --no-import) import=0; shift ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    -*) die "unknown option $1" ;;
    *) break ;;
  esac
done
[[ $# -ge 2 ]] || die "usage: image.sh [--entrypoint PATH]... NAME:TAG SRC=DEST..."
ref=$1; shift
[[ $ref =~ ^[a-z0-9][a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9._-]*$ ]] || die "image name must be NAME:TAG, got '$ref'"
name="localhost/$ref"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/rootfs" "$tmp/layout/blobs/sha256"
for spec in "$@"; do
  src=${spec%%=*} dest=${spec#*=}
  [[ $spec == *=/* && -f $src ]] || die "expected SRC=/DEST with SRC an existing file, got '$spec'"
  mkdir -p "$tmp/rootfs$(dirname "$dest")"
  cp "$src" "$tmp/rootfs$dest"
  if [[ -x $src ]]; then chmod 0755 "$tmp/rootfs$dest"; else chmod 0644 "$tmp/rootfs$dest"; fi
done
find "$tmp/rootfs" -type d -exec chmod 0755 {} +

blob() { # file -> "digest size", stored under blobs/sha256
  local hex size; hex=$(sha256sum "$1" | cut -d' ' -f1); size=$(stat -c %s "$1")
  mv "$1" "$tmp/layout/blobs/sha256/$hex"
  echo "sha256:$hex $size"
}
json_array() { if [[ $# -eq 0 ]]; then echo null; else printf '%s\n' "$@" | jq -R . | jq -sc .; fi; }

# the layer: a reproducible tar of rootfs/ (entries relative to /, as in any image layer)
tar -C "$tmp/rootfs" --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 --format=posix \
  --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime -cf "$tmp/layer.tar" .
read -r layer_digest layer_size < <(blob "$tmp/layer.tar")

jq -n --arg arch "$(arch)" --arg diff "$layer_digest" --argjson ep "$(json_array "${entrypoint[@]}")" \
  --argjson env "$(json_array "${env[@]}")" --arg by "integcov src/ci/cluster/image.sh" \
  '{architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z",
    config: ({} + (if $ep then {Entrypoint: $ep} else {} end) + (if $env then {Env: $env} else {} end)),
    rootfs: {type: "layers", diff_ids: [$diff]}, history: [{created: "1970-01-01T00:00:00Z", created_by: $by}]}' \
  > "$tmp/config.json"
read -r config_digest config_size < <(blob "$tmp/config.json")

jq -n --arg cd "$config_digest" --argjson cs "$config_size" --arg ld "$layer_digest" --argjson ls "$layer_size" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
    config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $cd, size: $cs},
    layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $ld, size: $ls}]}' > "$tmp/manifest.json"
read -r manifest_digest manifest_size < <(blob "$tmp/manifest.json")

# the reference names the whole image, as in the archives `buildah push oci-archive:FILE:NAME` writes, so one importer
# (src/ci/images/build.sh import) reads the name the same way from both
jq -n --arg md "$manifest_digest" --argjson ms "$manifest_size" --arg arch "$(arch)" --arg name "$name" \
  '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
      platform: {architecture: $arch, os: "linux"},
      annotations: {"io.containerd.image.name": $name, "org.opencontainers.image.ref.name": $name}}]}' \
  > "$tmp/layout/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$tmp/layout/oci-layout"
archive=${out:-$tmp/image.tar}
tar -C "$tmp/layout" --sort=name --numeric-owner --owner=0 --group=0 --mtime=@0 -cf "$archive" oci-layout index.json blobs

if [[ $import == 1 ]]; then
  [[ -f $STATE_DIR/workdir ]] || die "no local cluster is running (start it with src/ci/cluster/up.sh)"
  "$here/../images/build.sh" import "$(cat "$STATE_DIR/workdir")/containerd/containerd.sock" "$archive"
fi
echo "$name $manifest_digest"
