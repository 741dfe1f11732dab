"""The Celery application: in production, background work runs as Celery tasks with Redis as the broker.

Start it with `celery -A gathering worker -Q default`, `celery -A gathering worker -Q optimise
--concurrency 1` and one `celery -A gathering beat` (docs/deployment.md). Its settings are the `CELERY_*`
names in gathering/settings.py. Apps keep their tasks in `<app>/tasks.py`, found by autodiscovery; work is
queued only through gathering/core/background.py, which runs the same tasks in-process without a broker.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gathering.settings")

app = Celery("gathering")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
