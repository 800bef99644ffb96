# syntax=docker/dockerfile:1
# One image for every process of the ERP: web (gunicorn), ws (uvicorn), worker and beat (Celery),
# migrate. deploy/entrypoint.sh picks the process; docker-compose.yml runs them all.

# --- Stage 1: front-end assets from npm (htmx, htmx-ext-ws, Bootstrap, Chart.js, html5-qrcode) ---
FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error

# --- Stage 2: the application ---------------------------------------------------------------
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDF reports) loads Pango, HarfBuzz and fontconfig at run time and needs a font.
# Every other dependency, psycopg[binary] included, installs as a wheel.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt ./
RUN pip install -r requirements.txt \
    && python -c "import weasyprint"

COPY --from=assets /app/node_modules ./node_modules
COPY . .

# Static files are collected into the image (/app/staticfiles) and served by WhiteNoise. Production
# pages need WhiteNoise's manifest (staticfiles.json), and settings choose the manifest storage only
# when DJANGO_ENV=production, so collect under production settings with placeholder values that
# live only in this RUN (collectstatic contacts neither the database nor Redis).
RUN DJANGO_ENV=production \
    SECRET_KEY=build-only-placeholder-not-used-at-run-time \
    ALLOWED_HOSTS=localhost \
    DATABASE_URL=postgres://build:build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    python manage.py collectstatic --noinput --verbosity 0 \
    && test -f staticfiles/staticfiles.json

# Run as an unprivileged user. The code stays root-owned (read-only to the app); only uploads
# (MEDIA_ROOT) and the Celery beat schedule are writable, each a volume in docker-compose.yml.
RUN groupadd --system --gid 10001 erp \
    && useradd --system --uid 10001 --gid erp --home-dir /home/erp --create-home \
        --shell /usr/sbin/nologin erp \
    && mkdir -p /app/media /var/lib/erp \
    && chown erp:erp /app/media /var/lib/erp \
    && chmod 0755 /app/deploy/entrypoint.sh
USER erp

# 8000: gunicorn (HTTP); 8001: uvicorn (websockets, `ws` mode).
EXPOSE 8000 8001
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "/app/deploy/healthcheck.py", "8000"]
ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["web"]
