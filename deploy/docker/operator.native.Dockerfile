# syntax=docker/dockerfile:1
# Operator as a Quarkus native executable. Build from the repository root:
#   docker build -f deploy/docker/operator.native.Dockerfile -t integcov/operator:0.1.0 .
ARG MAVEN_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-21
ARG BUILDER_IMAGE=quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-21
ARG RUNTIME_IMAGE=quay.io/quarkus/ubi9-quarkus-micro-image:2.0

# 1. Maven: compile and let Quarkus write the native-image sources (jar + native-image.args), no native-image needed yet
FROM ${MAVEN_IMAGE} AS sources
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -pl operator -am package -DskipTests \
        -Dquarkus.native.enabled=true -Dquarkus.native.sources-only=true

# 2. Mandrel: the native executable
FROM ${BUILDER_IMAGE} AS native
COPY --from=sources --chown=quarkus:quarkus /src/operator/target/native-sources /build
WORKDIR /build
RUN native-image $(cat native-image.args) -J-Xmx6g

# 3. Runtime: glibc micro image, non-root
FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=native --chmod=0755 /build/*-runner /app/operator
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/app/operator"]
