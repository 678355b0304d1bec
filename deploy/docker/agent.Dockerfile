# syntax=docker/dockerfile:1
# The in-pod agent, two static Go binaries alone in an empty image: /integcov-agent (standard library only, starts the
# app within a millisecond) and /integcov-agent-upload (the GCS client, whose package initialisation alone takes
# ~15 ms; integcov-agent execs it after the app exited). The webhook's init container runs
# `/integcov-agent install /var/run/integcov/bin`, which copies both into an emptyDir; the app containers then run
# `/var/run/integcov/bin/integcov-agent run -- <command>` whatever their own image holds (no libc, no shell, no JVM
# needed).
#   docker build -f deploy/docker/agent.Dockerfile -t integcov/agent:0.1.0 .
ARG GO_IMAGE=docker.io/library/golang:1.26

FROM ${GO_IMAGE} AS build
WORKDIR /src/agent
COPY agent/go.mod agent/go.sum ./
# the flush module, which go.mod replaces with ./flush, is read to resolve the module graph
COPY agent/flush/go.mod ./flush/
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY agent/ ./
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=0.1.0" -o /out/integcov-agent ./cmd/integcov-agent \
    && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=0.1.0" -o /out/integcov-agent-upload \
       ./cmd/integcov-agent-upload \
    && /out/integcov-agent version && /out/integcov-agent-upload version

FROM scratch
COPY --from=build --chmod=0755 /out/integcov-agent /integcov-agent
COPY --from=build --chmod=0755 /out/integcov-agent-upload /integcov-agent-upload
USER 65532:65532
ENTRYPOINT ["/integcov-agent"]
