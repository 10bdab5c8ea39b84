"""Personal access tokens: an app signs in once with login and password and keeps a token.

Token creation is throttled twice: per client address (django-ninja's throttle) and per login
(5 failed attempts in 15 minutes lock that login out of this endpoint for the rest of the
window), so guessing a password through the API is as slow as through the web.
"""

import hashlib
from typing import Annotated

from django.contrib.auth import authenticate
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Router, Schema, Status
from ninja.throttling import AnonRateThrottle
from pydantic import Field

from thesaban.accounts import tokens
from thesaban.channels.api import presenters, selectors
from thesaban.channels.api.auth import PERSON_AUTH, require_person
from thesaban.channels.api.errors import ApiError, error_responses
from thesaban.channels.api.schemas import MAX_ID, TokenCreatedOut, TokenCreateIn, TokenOut

router = Router(tags=["Tokens"])
TokenId = Annotated[int, Path(description="The token's id (from the list).", ge=1, le=MAX_ID)]

LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW = 15 * 60
TOKEN_CREATE_RATE = "20/m"


def _failure_key(login: str) -> str:
    return "api-token-login-failures:" + hashlib.sha256(login.strip().lower().encode()).hexdigest()


class StaffRoleOut(Schema):
    municipality: str = Field(description="The municipality's slug.")
    role: str = Field(description="administrator, officer, viewer or digital_centre.")
    department: int | None


class MeOut(Schema):
    id: int
    display_name: str
    preferred_language: str
    staff_roles: list[StaffRoleOut]


@router.post(
    "/auth/tokens",
    response={201: TokenCreatedOut, **error_responses(400, 401, 422, 429)},
    throttle=[AnonRateThrottle(TOKEN_CREATE_RATE)],
    summary="Create a personal access token",
    description="Sign in with an e-mail address or Thai mobile number and password; the token "
    "is shown once in the answer. Send it as `Authorization: Bearer <token>`.",
)
def token_create(request: HttpRequest, payload: TokenCreateIn):
    failure_key = _failure_key(payload.login)
    if cache.get(failure_key, 0) >= LOGIN_FAILURE_LIMIT:
        raise ApiError(
            429,
            _("Too many failed sign-in attempts for this login; try again in 15 minutes."),
            headers={"Retry-After": str(LOGIN_FAILURE_WINDOW)},
        )
    user = authenticate(request, username=payload.login, password=payload.password)
    if user is None:
        cache.add(failure_key, 0, LOGIN_FAILURE_WINDOW)
        try:
            cache.incr(failure_key)
        except ValueError:  # expired between add and incr
            cache.set(failure_key, 1, LOGIN_FAILURE_WINDOW)
        raise ApiError(401, _("The login or the password is wrong."))
    cache.delete(failure_key)
    token, raw = tokens.access_token_create(user=user, name=payload.name)
    return Status(201, {**presenters.token_out(token), "token": raw})


@router.get(
    "/auth/tokens",
    response={200: list[TokenOut], **error_responses(401)},
    auth=PERSON_AUTH,
    summary="Your tokens (revoked ones included)",
)
def token_list(request: HttpRequest):
    user = require_person(request)
    return [presenters.token_out(t) for t in tokens.access_tokens_of(user=user)]


@router.delete(
    "/auth/tokens/{token_id}",
    response={200: TokenOut, **error_responses(401, 404, 422)},
    auth=PERSON_AUTH,
    summary="Revoke one of your tokens",
    description="Revoking the token used for this request works too; revoking twice is harmless.",
)
def token_revoke(request: HttpRequest, token_id: TokenId):
    user = require_person(request)
    token = tokens.access_token_of(user=user, token_id=token_id)
    if token is None:
        raise ApiError(404, _("You have no token with this id."))
    token = tokens.access_token_revoke(token=token, actor=user)
    return presenters.token_out(token)


@router.get(
    "/auth/me",
    response={200: MeOut, **error_responses(401)},
    auth=PERSON_AUTH,
    summary="Who the token belongs to, and their staff roles",
)
def me(request: HttpRequest):
    user = require_person(request)
    return {
        "id": user.pk,
        "display_name": user.public_name,
        "preferred_language": user.preferred_language,
        "staff_roles": [
            {
                "municipality": role.municipality.slug,
                "role": role.role,
                "department": role.department_id,
            }
            for role in selectors.staff_roles_of(user=user)
        ],
    }
