# motcua: slim, non-root image that runs `motcua run` (Telegram / Zalo webhooks or polling).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    MOTCUA_DATA_DIR=/data \
    MOTCUA_HTTP_HOST=0.0.0.0 \
    MOTCUA_HTTP_PORT=8080

WORKDIR /app
COPY pyproject.toml README.md ./
COPY deploy/constraints.txt ./
COPY bot ./bot
COPY handlers ./handlers
COPY knowledge ./knowledge
COPY storage ./storage
# -c: the dependency versions CI tested (deploy/constraints.txt), not whatever is newest today
RUN pip install -c constraints.txt . \
    && useradd --system --uid 10001 --home-dir /data --create-home motcua

USER motcua
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('MOTCUA_HTTP_PORT','8080'), timeout=4)" || exit 1

# SIGTERM lets updates in flight finish (MOTCUA_TELEGRAM_SHUTDOWN_GRACE); give the container longer
STOPSIGNAL SIGTERM
CMD ["motcua", "run"]
