# syntax=docker/dockerfile:1
# The integcov CLI on a JVM, for CI jobs that run `integcov collect`. Pods get the static Go agent instead
# (agent.Dockerfile): it runs inside app containers that have no JVM.
#   docker build -f deploy/docker/integcov.jvm.Dockerfile -t integcov/integcov:0.1.0-jvm .
ARG MAVEN_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-21
ARG RUNTIME_IMAGE=docker.io/library/eclipse-temurin:21-jre

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -pl cli -am package -DskipTests

FROM ${RUNTIME_IMAGE}
COPY --from=build /src/cli/target/integcov.jar /opt/integcov/integcov.jar
USER 65532:65532
ENTRYPOINT ["java", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", "/opt/integcov/integcov.jar"]
