#!/usr/bin/env bash
# Installs fake-gcs-server (the GCS emulator integcov's storage/cli tests run against) from the Go module proxy into
# ${INTEGCOV_CACHE:-$HOME/.cache/integcov}/bin. A no-op when that exact version is already there.
#
#   src/ci/install-fake-gcs.sh            install the pinned version unless present
#   FAKE_GCS_VERSION=v1.x.y src/ci/install-fake-gcs.sh
# Needs the Go in PATH and the Go module proxy. fake-gcs-server v1.56.1 needs Go >= 1.26; a Go >= 1.21 fetches
# that toolchain from the module proxy by itself (GOTOOLCHAIN=auto, the default).
set -euo pipefail

version=${FAKE_GCS_VERSION:-v1.56.1}
cache=${INTEGCOV_CACHE:-$HOME/.cache/integcov}
bin="$cache/bin"
stamp="$bin/fake-gcs-server.version"

if [[ -x $bin/fake-gcs-server && -f $stamp && $(cat "$stamp") == "$version" ]]; then
  echo "install-fake-gcs: fake-gcs-server $version already in $bin" >&2
  exit 0
fi
mkdir -p "$bin"
echo "install-fake-gcs: go install github.com/fsouza/fake-gcs-server@$version -> $bin" >&2
GOBIN="$bin" go install "github.com/fsouza/fake-gcs-server@$version"
echo "$version" > "$stamp"
