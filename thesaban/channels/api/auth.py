"""Who is calling: a person with a personal access token, an integrator with an API key, or nobody.

- `Authorization: Bearer <token>`: a resident's or staff member's personal token
  (`POST /api/v1/auth/tokens`, or the account page). Staff rights come from the person's
  StaffRole in the municipality of the URL, exactly as on the web.
- `X-Api-Key: <key>`: an integrator's key, valid for one municipality (issued by its
  administrators); it may create reports on the municipality's behalf and read public data.

A credential that is sent but wrong is refused with 401 even on operations open to everyone, so
an app with a revoked token finds out instead of silently acting anonymously.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError
from ninja.security import APIKeyHeader, HttpBearer

from thesaban.accounts.models import AccessToken, User
from thesaban.accounts.tokens import access_token_authenticate
from thesaban.channels.models import ApiKey
from thesaban.channels.selectors import api_key_authenticate
from thesaban.municipalities.models import Municipality

from .errors import ApiError


@dataclass(frozen=True)
class Principal:
    user: User | None = None
    token: AccessToken | None = None
    api_key: ApiKey | None = None

    def __bool__(self) -> bool:  # ninja treats a falsy result as "not authenticated"
        return True

    @property
    def ref(self) -> str:
        """Namespaces idempotency keys by caller."""
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.api_key is not None:
            return f"key:{self.api_key.pk}"
        return "anonymous"


ANONYMOUS = Principal()


class BearerToken(HttpBearer):
    """A personal access token: `Authorization: Bearer <token>`."""

    def __call__(self, request: HttpRequest) -> Principal | None:
        header = request.headers.get("Authorization")
        if not header:
            return None
        scheme, _space, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError(
                message=_("Send the token as: Authorization: Bearer <token>.")
            )
        token = access_token_authenticate(raw_token=raw.strip())
        if token is None:
            raise AuthenticationError(message=_("This token is not valid or has been revoked."))
        return Principal(user=token.user, token=token)

    def authenticate(self, request: HttpRequest, token: str):  # pragma: no cover - unused
        # django-ninja's base class declares it; __call__ above does all the work.
        return None


class IntegratorKey(APIKeyHeader):
    """An integrator's API key for one municipality: `X-Api-Key: <key>`."""

    param_name = "X-Api-Key"

    def __call__(self, request: HttpRequest) -> Principal | None:
        raw = request.headers.get(self.param_name)
        if raw is None:
            return None
        api_key = api_key_authenticate(raw_key=raw.strip())
        if api_key is None:
            raise AuthenticationError(message=_("This API key is not valid or has been revoked."))
        return Principal(api_key=api_key)

    def authenticate(self, request: HttpRequest, key: str | None):  # pragma: no cover - unused
        # django-ninja's base class declares it; __call__ above does all the work.
        return None


def anonymous(request: HttpRequest) -> Principal:
    """Last in an operation's auth list: no credential sent, the public may still proceed."""
    return ANONYMOUS


bearer = BearerToken()
integrator_key = IntegratorKey()

# Operations open to everyone that act differently for a signed-in person or an integrator.
OPTIONAL_AUTH = [bearer, integrator_key, anonymous]
# In the OpenAPI document: either scheme, or none at all.
OPTIONAL_SECURITY = {"security": [{"BearerToken": []}, {"IntegratorKey": []}, {}]}
PERSON_AUTH = [bearer]


def principal_of(request: HttpRequest) -> Principal:
    return getattr(request, "auth", None) or ANONYMOUS


def require_person(request: HttpRequest) -> User:
    """The signed-in person; 401 for integrators and the anonymous."""
    principal = principal_of(request)
    if principal.user is None:
        raise ApiError(401, _("Sign in first: send the header Authorization: Bearer <token>."))
    return principal.user


def check_key_scope(principal: Principal, municipality: Municipality) -> None:
    """An integrator's key works only for its own municipality."""
    if principal.api_key is not None and principal.api_key.municipality_id != municipality.pk:
        raise ApiError(403, _("This API key belongs to another municipality."))
