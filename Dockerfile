# digestbot: the bot with PostgreSQL support. Build: docker build -t digestbot .
# Run:  docker run -e TELEGRAM_BOT_TOKEN=... -e DIGESTBOT_DATABASE_URL=postgresql://user@db/digestbot \
#         -v digestbot-data:/app/data digestbot
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
RUN pip install ".[postgres]"

COPY config ./config
COPY seeds ./seeds
RUN mkdir -p /app/data && chown digestbot /app/data \
    && python -c "from bot.segment import tokenizer; tokenizer()"  # warm jieba's dictionary cache

USER digestbot
VOLUME ["/app/data"]
# SIGHUP reloads the config; SIGTERM stops gracefully (messages in flight finish).
STOPSIGNAL SIGTERM
ENTRYPOINT ["digestbot"]
CMD ["run"]
