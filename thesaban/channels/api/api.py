"""The JSON API: one django-ninja NinjaAPI, mounted at /api/v1/ by this app's AppConfig.

The OpenAPI document is at /api/v1/openapi.json, a browsable Swagger UI at /api/v1/docs (its
scripts come from django-ninja's static files, served by the site itself: it works offline).
"""

from ninja import NinjaAPI, Swagger

from thesaban.channels.api import public, reports, staff, tokens
from thesaban.channels.api.errors import install_error_handlers

DESCRIPTION = """
The JSON API of Thesaban: residents report problems to their municipality and follow them;
staff work through their triage queue. Everything of a municipality is under
`/api/v1/municipalities/{slug}/`.

**Authentication.** Public reads need nothing. A person sends a personal access token as
`Authorization: Bearer <token>` (create one with `POST /api/v1/auth/tokens`, or on the account
page); staff rights come from the person's role in the municipality of the URL. An integrator
sends its municipality's key as `X-Api-Key: <key>` to report on the municipality's behalf.
A credential that is sent but wrong is refused with 401.

**Errors** always have the shape `{"detail": "...", "errors": {"field": ["message"]}}`, in the
request's language: `Accept-Language: th` (the default) or `en`, or `?lang=en`.

**Retries.** Writes that create something accept an `Idempotency-Key` header: the same key with
the same request returns the first answer (200 instead of 201) and writes nothing again; the
same key with a different request is refused with 409.

**Privacy (PDPA).** Public answers never contain a reporter's name, e-mail address, phone
number or account; staff see contact details only when their role lets them act on the report.
"""

api = NinjaAPI(
    title="Thesaban JSON API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api_v1",
    docs=Swagger(settings={"validatorUrl": None, "persistAuthorization": True}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", public.router)
api.add_router("", reports.router)
api.add_router("", staff.router)
api.add_router("", tokens.router)
