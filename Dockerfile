# digestbot: the bot with PostgreSQL support. Build: docker build -t digestbot .
# Run:  docker run -e TELEGRAM_BOT_TOKEN=... -e DIGESTBOT_DATABASE_URL=postgresql://user@db/digestbot \
#         -v digestbot-data:/app/data -v "$PWD/config:/app/config:ro" digestbot
# The config folder (not the file: editors replace the file, and a file mount would keep the old
# one) is mounted so that edits reach the running bot, which re-reads the file when it changes.
# The bundled seed pages are ingested on first start only if you ask: docker run ... digestbot ingest seeds
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DIGESTBOT_CONFIG=/app/config/digestbot.toml \
    DIGESTBOT_DATA_DIR=/app/data

WORKDIR /app
RUN useradd --create-home --uid 10001 digestbot

COPY pyproject.toml README.md ./
COPY bot ./bot
# the package is this folder; its dependencies are pinned to ranges in pyproject.toml
# hadolint ignore=DL3013
RUN pip install --no-cache-dir ".[postgres]"

COPY config ./config
COPY seeds ./seeds
RUN mkdir -p /app/data && chown 10001 /app/data

# jieba caches its dictionary (9 MB, 1-2 s to build) as jieba.cache in the temp folder, created
# with mode 0600. Built by root, the runtime user could not read it: every start would rebuild
# it and then fail to replace root's file. So the runtime user builds it, and it is made
# readable to any uid the image may be run as (docker run --user).
USER 10001
RUN python -c "from bot.nlp.segment import tokenizer; tokenizer()" \
    && chmod 0644 "$(python -c 'import tempfile; print(tempfile.gettempdir())')/jieba.cache"

VOLUME ["/app/data"]
# SIGHUP reloads the config; SIGTERM stops gracefully (messages in flight finish).
STOPSIGNAL SIGTERM
ENTRYPOINT ["digestbot"]
CMD ["run"]
