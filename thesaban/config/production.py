"""Production: HTTPS behind a proxy, PostgreSQL, shared cache, secrets only from the environment."""

import os

from django.core.exceptions import ImproperlyConfigured

# Checked before the base settings run, so production never generates a key file of its own.
if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("SECRET_KEY must be set in the environment in production.")

from thesaban.config.base import *  # noqa: E402,F403
from thesaban.config.env import env_bool  # noqa: E402

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", False)
SERVE_MEDIA = env_bool("THESABAN_SERVE_MEDIA", False)
