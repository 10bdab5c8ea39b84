"""Secrets handed to integrators and apps: shown once, stored only as a SHA-256 digest.

The keys are 256-bit random strings, so a plain digest is enough (no slow hash needed) and
lets a request be authenticated with one indexed lookup.
"""

import hashlib
import secrets


def new_secret(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()
