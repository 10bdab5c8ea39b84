"""Settings shared by every environment. Everything an install changes is an environment variable."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from thesaban.config.env import data_dir, env_bool, env_list, secret_key

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "thesaban.core",
    "thesaban.accounts",
    "thesaban.municipalities",
    "thesaban.reports",
    "thesaban.channels",
    "thesaban.channels.api",
    "thesaban.channels.line",
    "thesaban.notifications",
    "thesaban.participation",
    "thesaban.participation.voting",
    "thesaban.participation.opinions",
    "thesaban.opendata",
    "thesaban.ledger",
    "thesaban.readiness",
    "thesaban.insight",
    "thesaban.insight.topics",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI for /api/v1/docs from our static files, not a CDN
    "django_tasks",
    "django_tasks_db",
    "rules.apps.AutodiscoverRulesConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "thesaban.core.middleware.ThaiFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "thesaban.core.tenancy.MunicipalityMiddleware",
]

ROOT_URLCONF = "thesaban.config.urls"
WSGI_APPLICATION = "thesaban.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "thesaban.core.context_processors.thesaban",
            ],
            "builtins": ["thesaban.core.templatetags.thesaban"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'thesaban.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the public pages read while a report is being written; synchronous=FULL keeps an
    # acknowledged report through a power cut, not only through a crash of the process.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "thesaban.accounts.backends.EmailOrPhoneBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Keyed hash for Thai national IDs: the number itself is never stored.
NATIONAL_ID_HASH_KEY = os.environ.get("NATIONAL_ID_HASH_KEY", SECRET_KEY)

LANGUAGE_CODE = "th"
LANGUAGES = [("th", _("Thai")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Bangkok")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "thesaban_language"

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("THESABAN_STATIC_DIR", DATA_DIR / "static"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("THESABAN_MEDIA_DIR", DATA_DIR / "media"))
MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on a missing folder
# The embedded default serves uploaded photos itself; behind a web server, set it off.
SERVE_MEDIA = env_bool("THESABAN_SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders so the embedded default needs no collectstatic.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG

DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = 10

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Thesaban <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# Base map tiles: OpenStreetMap's by default; a municipality may run its own tile server.
THESABAN_MAP_TILE_URL = os.environ.get(
    "THESABAN_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
)
THESABAN_MAP_TILE_ATTRIBUTION = os.environ.get(
    "THESABAN_MAP_TILE_ATTRIBUTION",
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)

if redis_url := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": redis_url}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# In-process tasks for the embedded default; THESABAN_TASK_BACKEND=database for worker processes
# (`thesaban db_worker`).
# LINE Messaging API endpoints (tests and private relays point them elsewhere) and how long
# an unfinished LINE conversation is kept (docs/line.md).
LINE_API_BASE_URL = os.environ.get("THESABAN_LINE_API_BASE_URL", "https://api.line.me")
LINE_DATA_API_BASE_URL = os.environ.get(
    "THESABAN_LINE_DATA_API_BASE_URL", "https://api-data.line.me"
)
LINE_CONVERSATION_TIMEOUT_MINUTES = int(
    os.environ.get("THESABAN_LINE_CONVERSATION_TIMEOUT_MINUTES", "60")
)

# Keys secret ballots to voters without storing who cast which (docs/voting.md); keep it
# across SECRET_KEY rotations or changed ballots lose their link. Empty: SECRET_KEY.
VOTING_BALLOT_KEY = os.environ.get("THESABAN_VOTING_BALLOT_KEY", "")

# Encrypts the transparency ledger's per-municipality signing keys (docs/ledger.md); keep it
# across SECRET_KEY rotations. Empty: derived from SECRET_KEY.
LEDGER_KEY_SECRET = os.environ.get("THESABAN_LEDGER_KEY_SECRET", "")

TASKS = {
    "default": {
        "BACKEND": {
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            "database": "django_tasks_db.DatabaseBackend",
        }[os.environ.get("THESABAN_TASK_BACKEND", "immediate")]
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
