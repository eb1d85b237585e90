# syntax=docker/dockerfile:1
# klambda's dotnet8 runtime image: the function container of a dotnet8 function, its code mounted at /var/task. As AWS's
# dotnet8 image: Amazon.Lambda.RuntimeSupport (github.com/aws/aws-lambda-dotnet, a pinned commit) built as an executable
# in /var/runtime, which loads a class-library handler (Assembly::Namespace.Class::Method); an executable assembly
# (handler = its name) runs on its own. The bootstrap is klambda's port of AWS's bootstrap.net8.sh.
# Build from the repository root: docker build -f docker/dotnet8.Dockerfile -t klambda-dotnet8 .
FROM mcr.microsoft.com/dotnet/sdk:8.0-bookworm-slim@sha256:bb32ba3ba3ea36e38572d9d8db76fa15f7cbf722f3f886e06bca6d528bd4fba8 AS build
ARG AWS_LAMBDA_DOTNET_COMMIT=831492165a694825e0e762d68ec74f3e36b628c0
ADD https://github.com/aws/aws-lambda-dotnet.git#${AWS_LAMBDA_DOTNET_COMMIT} /src/aws-lambda-dotnet
WORKDIR /src/aws-lambda-dotnet/Libraries/src/Amazon.Lambda.RuntimeSupport
RUN dotnet publish Amazon.Lambda.RuntimeSupport.csproj -f net8.0 -c Release --self-contained false -o /var/runtime \
      /p:ExecutableOutputType=true /p:GenerateDocumentationFile=false /p:TargetFrameworks=net8.0
COPY src/agent/runtimes/dotnet/bootstrap.sh /var/runtime/bootstrap.sh
# a broken bootstrap fails the build, not every function's init
RUN bash -n /var/runtime/bootstrap.sh

FROM mcr.microsoft.com/dotnet/runtime:8.0-bookworm-slim@sha256:9d94ecf60a21c6e7a784cf0761fbd4a8391646617a0ff2f39621443d580cc2c3
COPY --from=build /var/runtime/ /var/runtime/
ENV DOTNET_CLI_TELEMETRY_OPTOUT=true DOTNET_NOLOGO=true
WORKDIR /var/task
USER 10002:10002
ENTRYPOINT ["bash", "/var/runtime/bootstrap.sh"]
