# Transmission: a Telegram bot that delivers feed updates.
#   docker build --build-arg REVISION=$(git rev-parse HEAD) -t transmission .
#   docker run --stop-timeout 30 -e TELEGRAM_BOT_TOKEN=... \
#              -v $PWD/config.yaml:/config/config.yaml:ro -v transmission-data:/data transmission
FROM python:3.12-slim

# The version of pyproject.toml (tests/test_packaging.py keeps the two equal); the commit
# is given at build time.
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="Transmission" \
      org.opencontainers.image.description="A Telegram bot that delivers RSS, Atom and JSON Feed updates" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="MIT"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer, at the versions of constraints.txt (the lock;
# scripts/lock refreshes it): rebuilt only when pyproject.toml or the lock changes (an
# empty README stands in for the real one, so editing the docs does not rebuild it).
COPY pyproject.toml constraints.txt ./
RUN mkdir bot && touch bot/__init__.py README.md \
    && pip install -c constraints.txt . \
    && pip uninstall -y transmission-feedbot \
    && rm -rf bot

# Then the code.
COPY README.md ./
COPY bot ./bot
# The default database, sqlite:///data/transmission.db, is relative to /app: the link puts
# it in the /data volume, while a database.url in the config file still takes effect.
RUN pip install --no-deps . \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin feedbot \
    && mkdir -p /data /config \
    && chown feedbot /data \
    && ln -s /data /app/data \
    && ln -s /config/config.yaml /app/config.yaml

# Config from /config/config.yaml when it is mounted (./config.yaml links there; without it
# the built-in defaults run, as a fresh start should) and the environment; secrets only at run time
# (TELEGRAM_BOT_TOKEN or TELEGRAM_BOT_TOKEN_FILE=/run/secrets/..., DATABASE_URL(_FILE)):
# none baked in. The health port is fixed here because the HEALTHCHECK below has to know
# it; inside the container it listens on every address (outside, the default is 127.0.0.1),
# and compose publishes it on the host's loopback only.
ENV FEEDBOT_HEALTH_PORT=8080 \
    FEEDBOT_HEALTH_HOST=0.0.0.0

USER feedbot
VOLUME ["/data"]
EXPOSE 8080

# Healthy only while the scheduler runs, Telegram polling is up and the database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('FEEDBOT_HEALTH_PORT', '8080'), timeout=4)"]

# SIGTERM starts the clean shutdown (sends in flight finish or go back to the queue); give
# it --stop-timeout 30 (compose: stop_grace_period: 30s), not Docker's default 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["feedbot"]
CMD ["run"]
