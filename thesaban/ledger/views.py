"""Public ledger pages and the fixed JSON URLs of the transparency log.

JSON: hashes in lowercase hex, signatures and keys in base64, bad parameters a 400 with a
message in the visitor's language. Anyone may fetch them from anywhere (CORS `*`): the log
exists to be checked by others.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from thesaban.ledger import keys, selectors
from thesaban.ledger.access import access_ledger_entry

MAX_DIGITS = 19  # tree sizes fit a signed 64-bit integer


class BadParameter(ValueError):
    pass


def _json(payload: dict, *, status: int = 200, immutable: bool = False) -> JsonResponse:
    response = JsonResponse(
        payload, status=status, json_dumps_params={"ensure_ascii": False, "indent": None}
    )
    response["Access-Control-Allow-Origin"] = "*"
    if status == 200:
        response["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "public, max-age=10"
        )
    return response


def _error(message: str, *, status: int = 400) -> JsonResponse:
    return _json({"error": message, "status": status}, status=status)


def _count(request: HttpRequest, name: str, *, default: int | None = None) -> int:
    raw = request.GET.get(name, "").strip()
    if raw == "":
        if default is None:
            raise BadParameter(_("The parameter “%(name)s” is required.") % {"name": name})
        return default
    if not raw.isdigit() or len(raw) > MAX_DIGITS:
        raise BadParameter(
            _("The parameter “%(name)s” must be a whole number, 0 or more (got “%(value)s”).")
            % {"name": name, "value": raw[:40]}
        )
    return int(raw)


def _entry_json(entry) -> dict:
    return {
        "index": entry.index,
        "leaf": entry.leaf,
        "leaf_hash": entry.leaf_hash_hex,
        "record_type": entry.record_type,
    }


@require_safe
def tree_head(request: HttpRequest) -> JsonResponse:
    head = selectors.ledger_tree_head(municipality=request.municipality)
    return _json(head.as_json())


@require_safe
def entry_json(request: HttpRequest, index: int) -> JsonResponse:
    head = selectors.ledger_tree_head(municipality=request.municipality)
    if index >= head.tree_size:
        return _error(
            _("There is no entry %(index)s: the log holds %(size)s entries (0 to %(last)s).")
            % {"index": index, "size": head.tree_size, "last": max(head.tree_size - 1, 0)},
            status=404,
        )
    entry = access_ledger_entry(municipality=request.municipality, index=index)
    return _json(_entry_json(entry), immutable=True)


@require_safe
def inclusion_proof(request: HttpRequest) -> JsonResponse:
    head = selectors.ledger_tree_head(municipality=request.municipality)
    try:
        index = _count(request, "index")
        tree_size = _count(request, "tree_size", default=head.tree_size)
        if tree_size > head.tree_size:
            raise BadParameter(
                _("tree_size cannot be larger than the log's current size, %(size)s.")
                % {"size": head.tree_size}
            )
        if index >= tree_size:
            raise BadParameter(
                _("index must be smaller than tree_size (%(size)s): entries count from 0.")
                % {"size": tree_size}
            )
    except BadParameter as error:
        return _error(str(error))
    path = selectors.ledger_inclusion_proof(
        municipality=request.municipality, index=index, tree_size=tree_size
    )
    return _json(
        {"leaf_index": index, "tree_size": tree_size, "audit_path": [h.hex() for h in path]},
        immutable="tree_size" in request.GET,
    )


@require_safe
def consistency_proof(request: HttpRequest) -> JsonResponse:
    head = selectors.ledger_tree_head(municipality=request.municipality)
    try:
        first = _count(request, "first")
        second = _count(request, "second", default=head.tree_size)
        if second > head.tree_size:
            raise BadParameter(
                _("second cannot be larger than the log's current size, %(size)s.")
                % {"size": head.tree_size}
            )
        if not 0 < first <= second:
            raise BadParameter(
                _("first must be at least 1 and no larger than second (%(second)s).")
                % {"second": second}
            )
    except BadParameter as error:
        return _error(str(error))
    path = selectors.ledger_consistency_proof(
        municipality=request.municipality, first=first, second=second
    )
    return _json(
        {"first": first, "second": second, "consistency_path": [h.hex() for h in path]},
        immutable="second" in request.GET,
    )


@require_safe
def public_key_pem(request: HttpRequest) -> HttpResponse:
    head = selectors.ledger_tree_head(municipality=request.municipality)
    response = HttpResponse(keys.public_key_pem(head.public_key), content_type="text/plain")
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _urls(request: HttpRequest) -> dict[str, str]:
    slug = request.municipality.slug
    base = request.build_absolute_uri(reverse("ledger:index", kwargs={"municipality": slug}))
    return {
        "base": base,
        "tree_head": request.build_absolute_uri(
            reverse("ledger:tree_head", kwargs={"municipality": slug})
        ),
        "public_key": request.build_absolute_uri(
            reverse("ledger:public_key", kwargs={"municipality": slug})
        ),
        "script": request.build_absolute_uri(static("ledger/verify_ledger.py")),
    }


@require_safe
def ledger_index(request: HttpRequest) -> HttpResponse:
    municipality = request.municipality
    head = selectors.ledger_tree_head(municipality=municipality)
    return render(
        request,
        "ledger/index.html",
        {
            "municipality": municipality,
            "head": head,
            "head_json": json.dumps(head.as_json(), indent=2),
            "entries": selectors.ledger_recent_entries(municipality=municipality, limit=20),
            "urls": _urls(request),
            "example_index": max(head.tree_size - 1, 0),
        },
    )


@require_safe
def entry_page(request: HttpRequest, index: int) -> HttpResponse:
    municipality = request.municipality
    entry = access_ledger_entry(municipality=municipality, index=index)
    head = selectors.ledger_tree_head(municipality=municipality)
    path = selectors.ledger_inclusion_proof(
        municipality=municipality, index=index, tree_size=head.tree_size
    )
    try:
        leaf_pretty = json.dumps(json.loads(entry.leaf), indent=2, ensure_ascii=False)
    except ValueError:  # a tampered leaf is still shown as stored
        leaf_pretty = entry.leaf
    return render(
        request,
        "ledger/entry.html",
        {
            "municipality": municipality,
            "entry": entry,
            "leaf_pretty": leaf_pretty,
            "head": head,
            "audit_path": [h.hex() for h in path],
            "urls": _urls(request),
        },
    )
