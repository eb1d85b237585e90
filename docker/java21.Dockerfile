# syntax=docker/dockerfile:1
# klambda's java21 runtime image: the function container of a java21 function, its code (classes, lib/*.jar) mounted at
# /var/task. Eclipse Temurin 21 (its JRE image) runs AWS's own runtime interface client, whose jars (the versions and SHA-256 of
# hack/testbin/fetch-java-ric.sh) are in /var/runtime/lib, with its JNI library unpacked beside them.
# Build from the repository root: docker build -f docker/java21.Dockerfile -t klambda-java21 .
FROM debian:bookworm-slim@sha256:7b140f374b289a7c2befc338f42ebe6441b7ea838a042bbd5acbfca6ec875818 AS jars
ADD --checksum=sha256:b0dd01f45b7258da0e32ade0bff950b12d0cf279ccebf416ad8c3795af21f1db https://repo1.maven.org/maven2/com/amazonaws/aws-lambda-java-runtime-interface-client/2.10.1/aws-lambda-java-runtime-interface-client-2.10.1.jar /var/runtime/lib/
ADD --checksum=sha256:575c24393cc1ad645e83e618956eabd89ffe8cc09efae2cb62bc6589154d68ed https://repo1.maven.org/maven2/com/amazonaws/aws-lambda-java-core/1.4.0/aws-lambda-java-core-1.4.0.jar /var/runtime/lib/
ADD --checksum=sha256:1513c1f945a3213f916a4b2de1760c97b51d84d110f82bbbcf9cfac53d5651e7 https://repo1.maven.org/maven2/com/amazonaws/aws-lambda-java-serialization/1.2.0/aws-lambda-java-serialization-1.2.0.jar /var/runtime/lib/
ADD --checksum=sha256:efaf784f07ae526f0b5c89d71ef21cf16636131c47d44616e3df9bedc3f4f89a https://repo1.maven.org/maven2/software/amazon/awssdk/utils-lite/2.34.0/utils-lite-2.34.0.jar /var/runtime/lib/
COPY src/agent/runtimes/java/bootstrap /var/runtime/bootstrap
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# the client's JNI library for this architecture, loaded from here (it would otherwise be copied to /tmp at each start);
# a broken bootstrap fails the build, not every function's init
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends unzip \
 && rm -rf /var/lib/apt/lists/* \
 && case "$(dpkg --print-architecture)" in amd64) arch=x86_64 ;; arm64) arch=aarch_64 ;; *) exit 1 ;; esac \
 && unzip -p /var/runtime/lib/aws-lambda-java-runtime-interface-client-2.10.1.jar "jni/libaws-lambda-jni.linux-${arch}.so" > /var/runtime/lib/libaws-lambda-jni.so \
 && chmod 0644 /var/runtime/lib/* && chmod 0755 /var/runtime/bootstrap \
 && sh -n /var/runtime/bootstrap

# Debian 12 has no JDK 21: Eclipse Temurin's JRE image (Ubuntu 24.04), its java on PATH
FROM eclipse-temurin:21-jre-noble@sha256:96975602e131485862eb8cd32927face8a06d7591a5e865944b634a701d9df72
COPY --from=jars /var/runtime/ /var/runtime/
WORKDIR /var/task
USER 10002:10002
ENTRYPOINT ["/var/runtime/bootstrap"]
