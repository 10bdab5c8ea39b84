"""Settings for the test suite: fast hashing, in-memory mail, immediate tasks."""

import os

os.environ.setdefault("THESABAN_DATA_DIR", os.path.join(os.getcwd(), "var", "test"))

from thesaban.config.base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ALLOWED_HOSTS = ["*"]
