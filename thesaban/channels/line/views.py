"""The LINE webhook: POST /<slug>/line/webhook.

The view only translates HTTP: find the municipality's channel (access helper), hand the raw
body and the X-Line-Signature header to the service, map its outcome to a status code.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from thesaban.channels.line import services
from thesaban.channels.line.access import access_line_channel


@csrf_exempt
@require_POST
def webhook(request: HttpRequest) -> HttpResponse:
    channel = access_line_channel(municipality=request.municipality)
    try:
        result = services.webhook_receive(
            channel=channel,
            body=request.body,
            signature=request.headers.get("X-Line-Signature"),
        )
    except services.InvalidSignature:
        return HttpResponseBadRequest("Invalid or missing X-Line-Signature.")
    except services.MalformedPayload:
        return HttpResponseBadRequest("Not a LINE webhook payload.")
    return JsonResponse(
        {
            "events": result.events,
            "handled": result.handled,
            "duplicates": result.duplicates,
            "ignored": result.ignored,
        }
    )
