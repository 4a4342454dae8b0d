# Transmission: a Telegram bot that delivers feed updates.
#   docker build -t transmission .
#   docker run -e TELEGRAM_BOT_TOKEN=... -v $PWD/config.yaml:/config/config.yaml:ro \
#              -v transmission-data:/data transmission
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, in their own layer: it is rebuilt only when pyproject.toml changes
# (an empty README stands in for the real one, so editing the docs does not rebuild it).
COPY pyproject.toml ./
RUN mkdir bot && touch bot/__init__.py README.md \
    && pip install . \
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
    && ln -s /data /app/data

# Config from /config/config.yaml (mount it) and the environment; secrets only from the
# environment at run time (TELEGRAM_BOT_TOKEN, DATABASE_URL with a password): none baked in.
# The health port is fixed here because the HEALTHCHECK below has to know it.
ENV FEEDBOT_CONFIG=/config/config.yaml \
    FEEDBOT_HEALTH_PORT=8080

USER feedbot
VOLUME ["/data"]
EXPOSE 8080

# Healthy only while the scheduler runs, Telegram polling is up and the database answers.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('FEEDBOT_HEALTH_PORT', '8080'), timeout=4)"]

ENTRYPOINT ["feedbot"]
CMD ["run"]
