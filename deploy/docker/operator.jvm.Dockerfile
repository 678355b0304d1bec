# syntax=docker/dockerfile:1
# Operator on a JVM (Quarkus fast-jar). Build from the repository root:
#   docker build -f deploy/docker/operator.jvm.Dockerfile -t integcov/operator:0.1.0-jvm .
ARG MAVEN_IMAGE=docker.io/library/maven:3.9-eclipse-temurin-21
ARG RUNTIME_IMAGE=docker.io/library/eclipse-temurin:21-jre

FROM ${MAVEN_IMAGE} AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 mvn -B -q -pl operator -am package -DskipTests

FROM ${RUNTIME_IMAGE}
WORKDIR /app
COPY --from=build /src/operator/target/quarkus-app/ /app/
USER 65532:65532
EXPOSE 8080
ENV JAVA_OPTS_APPEND="-XX:MaxRAMPercentage=75 -Djava.io.tmpdir=/tmp"
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS_APPEND -jar /app/quarkus-run.jar"]
