"""Open311 documents in XML and JSON.

The XML follows the spec's examples: a root element (`services`, `service_requests`,
`service_definition`, `discovery`, `errors`), one child per item (`service`, `request`,
`error`...), no namespace, an XML declaration with encoding="utf-8". The JSON is the same
document by the Spark convention the spec names: a root list becomes an array, a wrapper of
repeated elements (`attributes`, `values`, `endpoints`, `formats`) becomes an array, an empty
element becomes null.
"""

from __future__ import annotations

import json
import re
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

FORMATS = ("xml", "json")
XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'
CONTENT_TYPES = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
# The element name of one item inside a list element.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


# Characters XML 1.0 cannot carry at all (control characters, surrogates, U+FFFE/FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("\ufffd", str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ElementTree.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ElementTree.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, document: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, document)
    body = ElementTree.tostring(element, encoding="unicode", short_empty_elements=True)
    return (XML_DECLARATION + body).encode("utf-8")


def to_json(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def document_response(fmt: str, root: str, document: Any, *, status: int = 200) -> HttpResponse:
    fmt = fmt if fmt in FORMATS else "xml"
    body = to_xml(root, document) if fmt == "xml" else to_json(document)
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, errors: list[tuple[int, str]]) -> HttpResponse:
    document = [{"code": code, "description": description} for code, description in errors]
    return document_response(fmt, "errors", document, status=status)
