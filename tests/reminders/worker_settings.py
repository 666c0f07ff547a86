"""Settings of the Celery worker (and beat) processes that the integration tests start.

The test settings, except that tasks really go through the broker, mail really goes over SMTP (to the
test's aiosmtpd server, EMAIL_HOST/EMAIL_PORT from the environment), and the broker can be the embedded
filesystem transport (WORKER_BROKER_URL=filesystem:// with WORKER_BROKER_DIR) as ``make run`` uses it.
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
