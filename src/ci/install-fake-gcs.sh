#!/usr/bin/env bash
# Installs fake-gcs-server (the GCS emulator integcov's storage/cli tests run against) from the Go module proxy into
# ${INTEGCOV_CACHE:-$HOME/.cache/integcov}/bin. A no-op when that exact version and build are already there.
# Built static (CGO_ENABLED=0): the e2e also puts this binary into the stand-in image of the default store
# (localhost/integcov-standin/fake-gcs-server, an image without libc).
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
# what the stamp records: the version and how it was built (an older stamp without the build means a rebuild)
build="$version CGO_ENABLED=0"

if [[ -x $bin/fake-gcs-server && -f $stamp && $(cat "$stamp") == "$build" ]]; then
  echo "install-fake-gcs: fake-gcs-server $build already in $bin" >&2
  exit 0
fi
mkdir -p "$bin"
echo "install-fake-gcs: CGO_ENABLED=0 go install github.com/fsouza/fake-gcs-server@$version -> $bin" >&2
CGO_ENABLED=0 GOBIN="$bin" go install "github.com/fsouza/fake-gcs-server@$version"
build_info=$(go version -m "$bin/fake-gcs-server")   # read whole: `| grep -q` under pipefail can fail on SIGPIPE
grep -q 'CGO_ENABLED=0' <<< "$build_info" \
  || { echo "install-fake-gcs: $bin/fake-gcs-server is not a static build" >&2; exit 1; }
echo "$build" > "$stamp"
