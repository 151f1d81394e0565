# remit in a container:  docker build -t remit .  then  docker run --rm -v "$PWD:/src" remit scan /src
# Two stages: the first builds remit's wheel and downloads the wheels of what it needs, at the versions in
# requirements/lock.txt; the second installs them from that directory only (no index, no compiler, no pip
# cache) and runs remit as an unprivileged user. Change the base with --build-arg PYTHON_IMAGE=...
ARG PYTHON_IMAGE=python:3.13.9-slim-trixie

FROM ${PYTHON_IMAGE} AS build
WORKDIR /build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
COPY requirements/lock.txt requirements/lock.txt
COPY pyproject.toml README.md ./
COPY src ./src
# PIP_CONSTRAINT pins the build backend too, inside pip's isolated build environment.
RUN PIP_CONSTRAINT=requirements/lock.txt python -m pip wheel --wheel-dir /wheels .

FROM ${PYTHON_IMAGE}
LABEL org.opencontainers.image.title="remit" \
      org.opencontainers.image.description="Finds what an attacker would use in a serverless application on AWS." \
      org.opencontainers.image.licenses="Apache-2.0"
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    python -m pip install --root-user-action=ignore --no-index --find-links /wheels remit \
    && useradd --create-home --uid 10001 --user-group remit
USER 10001:10001
WORKDIR /src
ENTRYPOINT ["remit"]
CMD ["scan", "/src"]
