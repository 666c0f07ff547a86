"""Test settings: the base settings with the slow or outward-facing parts swapped out."""

import os

os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from partyreview.settings.base import *  # noqa: F403
from partyreview.settings.base import VAR_DIR, env

ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "partyreview.accounts.hashers.InitialPasswordHasher",
]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "test-media"
# WhiteNoise warns about a missing STATIC_ROOT; tests serve static files from the finders instead.
STATIC_ROOT = VAR_DIR / "test-static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# One cache per test process, emptied before each test (tests/conftest.py): tests never share entries
# through files or a Redis another run uses.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Unit tests run tasks in-process; integration tests start a real worker against Redis instead.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = env.str("TEST_REDIS_URL", default="memory://")
AXES_ENABLED = True
