"""Settings for every environment, read from the process environment (see .env.example).

One module on purpose: a value differs between machines only through an environment variable, so
what runs in CI is what runs in production.
"""

import sys
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("PARTYREVIEW_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env_file = BASE_DIR / ".env"
if env_file.exists():
    environ.Env.read_env(env_file)


def _fail(message: str) -> None:
    # A misconfigured process must stop with one readable line, not a traceback.
    sys.stderr.write(f"配置错误 (configuration error): {message}\n")
    raise SystemExit(2)


DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if DEBUG:
        # Only for a developer's machine: DEBUG is on, so this process is never exposed.
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    else:
        _fail(
            "DJANGO_SECRET_KEY 未设置。关闭 DJANGO_DEBUG 时必须提供密钥"
            " (DJANGO_SECRET_KEY is required when DJANGO_DEBUG is off)."
        )

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A refused form (expired page, cookies blocked) gets the Chinese page, not Django's English one.
CSRF_FAILURE_VIEW = "partyreview.common.views.csrf_failure"
SITE_URL = env.str("PARTYREVIEW_SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "simple_history",
    "axes",
    "partyreview.common",
    "partyreview.accounts",
    "partyreview.organizations",
    "partyreview.inspections",
    "partyreview.rectifications",
    "partyreview.intake",
    "partyreview.orglife",
    "partyreview.reminders",
    "partyreview.office",
    "partyreview.dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: a signed-in user's pages and exports are never stored by a cache.
    "partyreview.common.middleware.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Imported accounts change their one-time password before anything else (accounts/middleware.py).
    "partyreview.accounts.middleware.InitialPasswordMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so a locked-out login never reaches the view.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "partyreview.urls"
WSGI_APPLICATION = "partyreview.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "partyreview.accounts.context_processors.navigation",
            ],
        },
    },
]

# Database: an SQLite file by default so a bare machine runs; PostgreSQL in production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web, worker and beat write the same file (docs/decisions/sqlite-immediate-transactions.md).
    # - IMMEDIATE: a transaction takes the write lock when it begins. SQLite's default (DEFERRED) starts
    #   as a reader and upgrades at its first write; when another process wrote in between, that upgrade
    #   fails at once with "database is locked", whatever the timeout, because waiting could deadlock.
    #   Taken at BEGIN, the lock is simply waited for.
    # - busy_timeout (the "timeout" option sets the same): how long a writer waits for the lock.
    # - WAL lets readers go on while one process writes; NORMAL sync is safe with WAL and much faster.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"),
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in against the intranet directory (LDAP / Active Directory), off by default. The directory only
# checks the password: a person signs in to the account whose login (username) matches theirs, and someone
# the directory knows but partyreview does not is refused like a wrong password, because what a person
# may see comes from memberships, which the directory cannot say (docs/decisions/directory-sign-in.md).
# Local passwords keep working beside it (the administrator's, when the directory is down).
LDAP_ENABLED = env.bool("LDAP_ENABLED", default=False)
if LDAP_ENABLED:
    import ldap
    from django_auth_ldap.config import LDAPSearch

    AUTH_LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
    if not AUTH_LDAP_SERVER_URI:
        _fail("LDAP_ENABLED 已开启，但未设置 LDAP_SERVER_URI (LDAP_SERVER_URI is required when LDAP_ENABLED is on).")
    AUTH_LDAP_BIND_DN = env.str("LDAP_BIND_DN", default="")
    AUTH_LDAP_BIND_PASSWORD = env.str("LDAP_BIND_PASSWORD", default="")
    AUTH_LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env.str("LDAP_USER_SEARCH_BASE", default=""),
        ldap.SCOPE_SUBTREE,
        env.str("LDAP_USER_FILTER", default="(uid=%(user)s)"),
    )
    # Accounts are made by the people import (or an administrator), never by a first sign-in.
    AUTH_LDAP_NO_NEW_USERS = True
    # Names and phones come from the people import; the directory does not overwrite them.
    AUTH_LDAP_USER_ATTR_MAP = {}
    AUTH_LDAP_ALWAYS_UPDATE_USER = False
    _ldap_timeout = env.int("LDAP_TIMEOUT_SECONDS", default=5)
    AUTH_LDAP_CONNECTION_OPTIONS = {
        ldap.OPT_NETWORK_TIMEOUT: _ldap_timeout,
        ldap.OPT_TIMEOUT: _ldap_timeout,
        ldap.OPT_REFERRALS: 0,  # Active Directory's referrals lead to servers the web host cannot bind to.
    }
    # After axes (which refuses a locked-out login before any backend runs), before the local passwords.
    AUTHENTICATION_BACKENDS.insert(1, "partyreview.accounts.directory.DirectoryBackend")
# Argon2id first: memory-hard, so guessing costs an attacker's GPU far more than PBKDF2, and a login costs
# the server a quarter of the CPU (docs/security.md). Hashes made by the others are still accepted and
# rewritten as Argon2 at the user's next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
    # Random one-time passwords of imported accounts only (accounts/hashers.py says why).
    "partyreview.accounts.hashers.InitialPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions end after inactivity; every request renews the deadline.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=60 * 60 * 4)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True

# Login lockout (django-axes, partyreview/accounts/lockout.py): counted per user name and address, kept in
# the database so every web process on every host sees the same count; and per address across user names
# with a higher limit, against password spraying.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "partyreview.accounts.lockout.LoginLockoutHandler"
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=30)
# The client's address: REMOTE_ADDR, or, for requests from these reverse proxies only (addresses or
# networks), what they wrote into X-Forwarded-For. Anyone else's X-Forwarded-For is ignored.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
AXES_CLIENT_IP_CALLABLE = "partyreview.accounts.lockout.client_address"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# The project's wording of a few of Django's Chinese messages (locale/zh_Hans/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles")))
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# Evidence is never served from a public URL: downloads go through a view that checks scope.
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": env.str("FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
if STORAGES["default"]["BACKEND"].endswith("S3Storage"):
    # django-storages reads these; the bucket stays private because downloads stream through our views.
    AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME")
    AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="")
    AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="")
    AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="")
    AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="")
    AWS_DEFAULT_ACL = None
    AWS_QUERYSTRING_AUTH = True
    AWS_S3_FILE_OVERWRITE = False
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_MB", default=20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Excel import of problem lists (office app): refused above these limits before openpyxl parses anything.
OFFICE_IMPORT_MAX_BYTES = env.int("OFFICE_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
OFFICE_IMPORT_MAX_ROWS = env.int("OFFICE_IMPORT_MAX_ROWS", default=5000)
# The sum of the uncompressed sizes of the workbook's zip entries: a guard against zip bombs.
OFFICE_IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("OFFICE_IMPORT_MAX_UNCOMPRESSED_BYTES", default=50 * 1024 * 1024)
# Register exports (office app): above this many rows the worker writes the file and it appears in 我的导出
# (a web request stays within seconds); the file is deleted this many hours after it was written.
OFFICE_EXPORT_ASYNC_ROWS = env.int("OFFICE_EXPORT_ASYNC_ROWS", default=20000)
OFFICE_EXPORT_KEEP_HOURS = env.int("OFFICE_EXPORT_KEEP_HOURS", default=72)
FILE_UPLOAD_PERMISSIONS = 0o640

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Security headers. HTTPS settings are switched on by the deployment, behind its proxy.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
if env.bool("DJANGO_BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Only our own assets: everything the UI needs ships under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "style-src": ["'self'"],
        # Style attributes only (widths of progress bars); <style> elements and inline scripts stay blocked.
        "style-src-attr": ["'unsafe-inline'"],
        "script-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Cache, shared by every process: Redis in production (CACHE_URL=redis://host:6379/1, a database of its
# own beside the broker's), files under var/ on a bare machine (the web and worker processes of one host
# share them). It holds only what can be recounted or read again: figures such as the dashboard's
# (common/generations.py), and an import's table and previewed plan (intake/ledger.py, intake/services.py).
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "partyreview",
            "TIMEOUT": 300,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "TIMEOUT": 300,
        }
    }
# How long counted figures (the dashboard's, the organisational-life card's) may be served from the cache
# at most; 0 counts them on every request. Any write through the models retires them at once; this bounds
# the rest (common/generations.py).
CACHED_FIGURES_SECONDS = env.int("CACHED_FIGURES_SECONDS", default=300)

# E-mail
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="partyreview <noreply@localhost>")
# Off by default on a bare machine: there is usually no SMTP server to talk to.
REMINDER_EMAIL_ENABLED = env.bool("REMINDER_EMAIL_ENABLED", default=False)

# Celery. Without a broker URL the filesystem transport carries messages between the web, worker
# and beat processes of one machine with no server at all (see docs/decisions/embedded-broker.md).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _d in (_queue_dir, _processed_dir, _control_dir):
        _d.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        # Broadcast (control) messages; kombu's default is ./control in whatever directory the process runs.
        "control_folder": str(_control_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A worker that dies mid-task leaves the message on the broker, so another worker runs it again.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE = {
    "heartbeat": {"task": "partyreview.common.tasks.heartbeat", "schedule": 60.0},
}
# 组织生活夜间检查 (partyreview/orglife/tasks.py) runs once a night at this hour, Beijing time.
ORGLIFE_CHECK_HOUR = env.int("ORGLIFE_CHECK_HOUR", default=2)
CELERY_BEAT_SCHEDULE["orglife-nightly-check"] = {
    "task": "partyreview.orglife.tasks.check_org_life",
    "schedule": crontab(hour=ORGLIFE_CHECK_HOUR, minute=30),
}
# Reminders (partyreview/reminders, docs/decisions/reminders-*.md). The policy (days, escalation, the
# daily hour) is edited by administrators in the admin; these are the machine's knobs. Beat only ticks:
# each tick runs the day's sweep once the configured hour has passed, so a changed hour needs no restart
# and a day the machine was down is caught up at the next tick.
REMINDER_TICK_SECONDS = env.int("REMINDER_TICK_SECONDS", default=600)
REMINDER_SEND_MAX_ATTEMPTS = env.int("REMINDER_SEND_MAX_ATTEMPTS", default=8)
REMINDER_RETRY_BACKOFF_SECONDS = env.int("REMINDER_RETRY_BACKOFF_SECONDS", default=30)
REMINDER_RETRY_BACKOFF_MAX_SECONDS = env.int("REMINDER_RETRY_BACKOFF_MAX_SECONDS", default=3600)
REMINDER_REQUEUE_AFTER_SECONDS = env.int("REMINDER_REQUEUE_AFTER_SECONDS", default=1800)
REMINDER_WEBHOOK_TIMEOUT = env.int("REMINDER_WEBHOOK_TIMEOUT", default=10)
CELERY_BEAT_SCHEDULE["office-exports-expire"] = {"task": "partyreview.office.tasks.exports_expire", "schedule": 3600.0}
CELERY_BEAT_SCHEDULE["reminders-tick"] = {
    "task": "partyreview.reminders.tasks.reminders_tick",
    "schedule": float(REMINDER_TICK_SECONDS),
    # A tick that waited past the next one is worthless: drop it rather than run a backlog.
    "options": {"expires": REMINDER_TICK_SECONDS},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="Dangjian@2026")

# 红黄绿灯: yellow from N days before the deadline or once this share of the allotted time is used.
LIGHT_YELLOW_DAYS = env.int("LIGHT_YELLOW_DAYS", default=7)
LIGHT_YELLOW_FRACTION = env.float("LIGHT_YELLOW_FRACTION", default=0.8)
# 立行立改: the deadline when none is given, in days from the inspection's feedback date (or the finding's date).
IMMEDIATE_DEFAULT_DAYS = env.int("IMMEDIATE_DEFAULT_DAYS", default=30)
# 长期坚持: the light turns yellow (and the secretary is reminded) this many days before a period's end
# while its report is missing (docs/decisions/long-term-measures.md).
LONG_TERM_REPORT_WARN_DAYS = env.int("LONG_TERM_REPORT_WARN_DAYS", default=7)


if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
