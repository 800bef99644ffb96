#!/bin/sh
# Entry point of the image. The first argument names the process to run:
#   web      gunicorn, HTTP on :8000 (the default)
#   ws       uvicorn, websockets (/ws/) on :8001
#   worker   Celery worker
#   beat     Celery beat (one per deployment)
#   migrate  apply database migrations, then exit
# Extra arguments go to that process (e.g. `worker --concurrency=4`). Anything else runs as given,
# e.g. `python manage.py createsuperuser`.
set -eu

if [ "$#" -eq 0 ]; then
    set -- web
fi

mode="$1"
case "$mode" in
    web)
        shift
        exec gunicorn --config deploy/gunicorn.conf.py erp.wsgi:application "$@"
        ;;
    ws)
        shift
        # Persistent database connections leak under ASGI: close them after every use here.
        export CONN_MAX_AGE=0
        # One process per container (uvicorn would otherwise read WEB_CONCURRENCY); scale out
        # with more containers. Only nginx reaches this port, so its X-Forwarded-* are trusted.
        exec uvicorn erp.asgi:application \
            --host 0.0.0.0 --port "${WS_PORT:-8001}" \
            --workers "${WS_WORKERS:-1}" \
            --proxy-headers --forwarded-allow-ips "${WS_FORWARDED_ALLOW_IPS:-*}" \
            --lifespan off --timeout-graceful-shutdown 10 \
            "$@"
        ;;
    worker)
        shift
        exec celery -A erp worker --loglevel "${CELERY_LOG_LEVEL:-info}" "$@"
        ;;
    beat)
        shift
        exec celery -A erp beat --loglevel "${CELERY_LOG_LEVEL:-info}" \
            --schedule "${BEAT_SCHEDULE_FILE:-/var/lib/erp/celerybeat-schedule}" "$@"
        ;;
    migrate)
        shift
        exec python manage.py migrate --noinput "$@"
        ;;
    *)
        exec "$@"
        ;;
esac
