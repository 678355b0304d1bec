# syntax=docker/dockerfile:1
# The integcov wrapper/CLI as a fully static (musl) native executable in an otherwise empty image. The webhook's init
# container runs `/usr/local/bin/integcov install /var/run/integcov/bin`, which copies the binary into an emptyDir;
# the app containers then run it from there, whatever their own image holds (no libc, no JVM needed).
#   docker build -f deploy/docker/integcov.native.Dockerfile -t integcov/integcov:0.1.0 .
ARG MAVEN_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-21
# GraalVM with the musl toolchain (and a musl-built zlib) that --static --libc=musl needs
ARG BUILDER_IMAGE=ghcr.io/graalvm/native-image-community:21-muslib

# 1. Maven: the shaded executable jar (cli/target/integcov.jar) with picocli's generated native-image configuration
FROM ${MAVEN_IMAGE} AS jar
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -pl cli -am package -DskipTests

# 2. native-image: static, musl, no fallback to a JVM
FROM ${BUILDER_IMAGE} AS native
WORKDIR /build
COPY --from=jar /src/cli/target/integcov.jar /build/integcov.jar
RUN native-image --static --libc=musl --no-fallback -O2 -march=compatibility \
        --enable-url-protocols=https --enable-http --enable-https \
        -H:+ReportExceptionStackTraces -J-Xmx6g \
        -jar integcov.jar -o integcov \
    && ./integcov --version

# 3. Runtime: nothing but the binary
FROM scratch
COPY --from=native --chmod=0755 /build/integcov /usr/local/bin/integcov
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/integcov"]
