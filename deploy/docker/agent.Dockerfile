# syntax=docker/dockerfile:1
# integcov-agent, the static Go binary that runs inside application pods, alone in an empty image at /integcov-agent.
# The webhook's init container runs `/integcov-agent install /var/run/integcov/bin`, which copies it into an emptyDir;
# the app containers then run `/var/run/integcov/bin/integcov-agent run -- <command>` whatever their own image holds
# (no libc, no shell, no JVM needed).
#   docker build -f deploy/docker/agent.Dockerfile -t integcov/agent:0.1.0 .
ARG GO_IMAGE=docker.io/library/golang:1.26

FROM ${GO_IMAGE} AS build
WORKDIR /src/agent
COPY agent/go.mod agent/go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY agent/ ./
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=0.1.0" -o /out/integcov-agent ./cmd/integcov-agent \
    && /out/integcov-agent version

FROM scratch
COPY --from=build --chmod=0755 /out/integcov-agent /integcov-agent
USER 65532:65532
ENTRYPOINT ["/integcov-agent"]
