"""HTTP for CKAN's Action API: parse the data dict, call the action, wrap it in CKAN's envelope."""

import json
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from thesaban.opendata import ckan


def _data_dict(request: HttpRequest) -> dict[str, Any]:
    if request.method == "GET":
        return {k: v[0] if len(v) == 1 else v for k, v in request.GET.lists()}
    body = request.body
    content_type = request.content_type or ""
    if "json" in content_type or (body.strip()[:1] in (b"{", b"[") and "form" not in content_type):
        if not body.strip():
            return {}
        try:
            data = json.loads(body)
        except ValueError as error:
            raise ckan.BadRequest(
                f"JSON Error: Error decoding JSON data. Error: {error!r}"
            ) from None
        if not isinstance(data, dict):
            raise ckan.BadRequest(
                f"JSON Error: Request data JSON decoded to {data!r} but it needs to be a dictionary."
            )
        return data
    return {k: v[0] if len(v) == 1 else v for k, v in request.POST.lists()}


@csrf_exempt  # read-only actions; no cookie authenticates anything here
def action(request: HttpRequest, action: str) -> JsonResponse:
    help_url = request.build_absolute_uri(
        reverse("ckan:action", kwargs={"action": "help_show"}) + f"?name={action}"
    )
    try:
        if request.method not in ("GET", "POST"):
            raise ckan.BadRequest("Only GET and POST are accepted.")
        result = ckan.call(action, _data_dict(request), request.build_absolute_uri)
    except ckan.ActionError as error:
        response = JsonResponse(
            {"help": help_url, "success": False, "error": error.error()}, status=error.status
        )
    else:
        response = JsonResponse(
            {"help": help_url, "success": True, "result": result},
            json_dumps_params={"ensure_ascii": False},
        )
    response["Access-Control-Allow-Origin"] = "*"
    return response
