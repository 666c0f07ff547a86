"""The Celery application, wired once for every process (web, worker, beat)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partyreview.settings.base")

app = Celery("partyreview")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
