"""Personal access tokens for apps using the JSON API (`Authorization: Bearer <token>`).

A token is shown once, when created; only its SHA-256 digest is stored (see
`thesaban/channels/keys.py`), so a stolen database does not hand out working tokens. A person
may hold several (one per app or device) and revoke each one.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.accounts.models import AccessToken, User
from thesaban.channels.keys import digest, new_secret
from thesaban.core.audit import audit_record

TOKEN_PREFIX = "tsb"
MAX_ACTIVE_TOKENS = 20
NAME_MAX_LENGTH = 100


@transaction.atomic
def access_token_create(*, user: User, name: str) -> tuple[AccessToken, str]:
    """Issue a token for `user`; the raw token is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Name the app or device this token is for.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": _("At most %(limit)s characters.") % {"limit": NAME_MAX_LENGTH}}
        )
    # Lock the person's row so two simultaneous requests cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    active = AccessToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS:
        raise ValidationError(
            _("You already have %(count)s active tokens; revoke one you no longer use first.")
            % {"count": active}
        )
    raw = new_secret(TOKEN_PREFIX)
    token = AccessToken.objects.create(
        user=user, name=name, prefix=raw[:12], key_digest=digest(raw)
    )
    audit_record(
        action="accounts.access_token_create",
        actor=user,
        target=token,
        data={"name": token.name, "prefix": token.prefix},
    )
    return token, raw


@transaction.atomic
def access_token_revoke(*, token: AccessToken, actor: User) -> AccessToken:
    """Revoke a token (idempotent). Only its owner may revoke it."""
    if token.user_id != actor.pk:
        raise PermissionDenied(_("This token belongs to someone else."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="accounts.access_token_revoke",
            actor=actor,
            target=token,
            data={"name": token.name, "prefix": token.prefix},
        )
    return token


def access_token_authenticate(*, raw_token: str) -> AccessToken | None:
    """The active token matching `raw_token`, with its (active) user; None otherwise.

    `last_used_at` is touched at most once a minute so a busy app does not write on every request.
    """
    if not raw_token or len(raw_token) > 200 or "\x00" in raw_token:
        return None
    token = (
        AccessToken.objects.select_related("user")
        .filter(key_digest=digest(raw_token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token


def access_tokens_of(*, user: User) -> QuerySet[AccessToken]:
    """A person's tokens, newest first (revoked ones too, so they can see what was revoked)."""
    return AccessToken.objects.filter(user=user).order_by("-created_at", "-id")


def access_token_of(*, user: User, token_id: int) -> AccessToken | None:
    """One of the person's own tokens; None for anyone else's (so it is a 404, not a 403)."""
    try:
        return AccessToken.objects.filter(user=user, pk=int(token_id)).first()
    except (TypeError, ValueError, OverflowError):
        return None
