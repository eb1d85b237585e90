# syntax=docker/dockerfile:1
# klambda's python3.11 runtime image: the function container of a python3.11 function, its code mounted at /var/task.
# Build from the repository root: docker build -f docker/python3.11.Dockerfile -t klambda-python3.11 .
FROM python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b AS check
COPY src/agent/runtimes/python/ /var/runtime/
# a broken bootstrap fails the build, not every function's init
RUN python -m py_compile /var/runtime/bootstrap.py && rm -rf /var/runtime/__pycache__

FROM python:3.11-slim-bookworm@sha256:a36c24f9cbdf4fd0f52d67f0823eeac19c2028c637cecc392d97f980d4fec56b
COPY --from=check /var/runtime/ /var/runtime/
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
WORKDIR /var/task
USER 10002:10002
ENTRYPOINT ["python3", "-u", "/var/runtime/bootstrap.py"]
