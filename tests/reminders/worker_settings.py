"""Settings of the Celery worker (and beat) processes that the integration tests start.

The test settings, except that tasks really go through the broker, mail really goes over SMTP (to the
test's aiosmtpd server, EMAIL_HOST/EMAIL_PORT from the environment), and the broker can be the embedded
filesystem transport (WORKER_BROKER_URL=filesystem:// with WORKER_BROKER_DIR) as ``make run`` uses it.
tests/security/test_worker_killed.py adds a media folder, a short visibility timeout and pause points.
"""

import os

from partyreview.settings.test import *  # noqa: F403
from partyreview.settings.test import CELERY_BROKER_URL as TEST_BROKER_URL

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = os.environ.get("WORKER_BROKER_URL", TEST_BROKER_URL)
if CELERY_BROKER_URL == "filesystem://":
    _queue = os.path.join(os.environ["WORKER_BROKER_DIR"], "queue")
    _processed = os.path.join(os.environ["WORKER_BROKER_DIR"], "processed")
    _control = os.path.join(os.environ["WORKER_BROKER_DIR"], "control")
    for _d in (_queue, _processed, _control):
        os.makedirs(_d, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue,
        "data_folder_out": _queue,
        # Otherwise kombu writes broadcast messages to ./control in the repository.
        "control_folder": _control,
        "processed_folder": _processed,
        "store_processed": False,
    }
# Tasks the worker queues itself (a sweep queues its deliveries) stay on the test's own queue.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("WORKER_QUEUE", "celery")
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
REMINDER_EMAIL_ENABLED = True

# ---- knobs of tests/security/test_worker_killed.py ------------------------------------------------
# The test's own media folder, where the import's stored upload is (pytest gives each test a new one).
if os.environ.get("WORKER_MEDIA_ROOT"):
    MEDIA_ROOT = os.environ["WORKER_MEDIA_ROOT"]
# Redis gives a message taken but never acknowledged (its worker was killed) to another worker after the
# visibility timeout: an hour in production, seconds here, checked every second rather than every 100.
if os.environ.get("WORKER_VISIBILITY_TIMEOUT") and CELERY_BROKER_URL != "filesystem://":
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ["WORKER_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
# Points where the worker stops until the test kills it (tests/security/worker_pauses.py).
if os.environ.get("WORKER_PAUSE"):
    from tests.security import worker_pauses

    worker_pauses.install(os.environ["WORKER_PAUSE"], os.environ["WORKER_PAUSE_DIR"])
