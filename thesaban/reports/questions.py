"""A category's extra questions (Open311 calls them a service definition's attributes).

`Category.questions` is a list of questions, each a dict:

    {"code": "water_colour",            # slug, unique in the category
     "datatype": "singlevaluelist",     # string | number | datetime | text |
                                        # singlevaluelist | multivaluelist
     "required": false,
     "label_th": "น้ำมีสีอะไร", "label_en": "What colour is the water?",
     "description_th": "", "description_en": "",   # optional hints
     "order": 1,
     "values": [{"key": "brown", "name_th": "น้ำตาล", "name_en": "Brown"}]}  # lists only

Answers are stored on the report as {code: value}: a string, a number, an ISO datetime, or a
list of keys for a multivaluelist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
_CODE = re.compile(r"^[a-z0-9_-]{1,50}$")
MAX_ANSWER_LENGTH = {"string": 200, "text": 2000}


def validate_questions(questions: Any) -> None:
    """Model-field validator: the stored list has the documented shape."""
    if not isinstance(questions, list):
        raise ValidationError(_("Extra questions must be a list."))
    seen: set[str] = set()
    for position, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            raise ValidationError(_("Question %(n)s is not an object.") % {"n": position})
        code = question.get("code", "")
        if not isinstance(code, str) or not _CODE.match(code):
            raise ValidationError(
                _("Question %(n)s needs a code of lower-case letters, digits, - or _.")
                % {"n": position}
            )
        if code in seen:
            raise ValidationError(_("Two questions share the code %(code)s.") % {"code": code})
        seen.add(code)
        if question.get("datatype") not in DATATYPES:
            raise ValidationError(
                _("Question %(code)s has an unknown type; use one of: %(types)s.")
                % {"code": code, "types": ", ".join(DATATYPES)}
            )
        if not question.get("label_th") or not question.get("label_en"):
            raise ValidationError(
                _("Question %(code)s needs a Thai and an English label.") % {"code": code}
            )
        values = question.get("values", [])
        well_formed = bool(values) and all(
            isinstance(v, dict) and v.get("key") and v.get("name_th") and v.get("name_en")
            for v in values
        )
        if question["datatype"] in LIST_TYPES and not well_formed:
            raise ValidationError(
                _("Question %(code)s needs choices, each with a key, a Thai and an English name.")
                % {"code": code}
            )


def ordered(questions: list[dict]) -> list[dict]:
    return sorted(questions, key=lambda q: (q.get("order", 0), q["code"]))


def _error(code: str, message: str) -> ValidationError:
    return ValidationError({f"attribute[{code}]": message})


def _clean_one(question: dict, value: Any) -> Any:
    code, datatype = question["code"], question["datatype"]
    if datatype == "multivaluelist":
        items = value if isinstance(value, list | tuple) else [value]
        items = [str(item).strip() for item in items if str(item).strip()]
        keys = {v["key"] for v in question.get("values", [])}
        unknown = [item for item in items if item not in keys]
        if unknown:
            raise _error(code, _("%(value)s is not one of the choices.") % {"value": unknown[0]})
        return list(dict.fromkeys(items))
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise _error(code, _("Give one answer only."))
        value = value[0]
    text = str(value).strip()
    if datatype == "singlevaluelist":
        if text not in {v["key"] for v in question.get("values", [])}:
            raise _error(code, _("%(value)s is not one of the choices.") % {"value": text[:50]})
        return text
    if datatype == "number":
        try:
            number = float(text)
        except ValueError:
            raise _error(code, _("Give a number.")) from None
        if number != number or number in (float("inf"), float("-inf")):
            raise _error(code, _("Give a number."))
        return int(number) if number.is_integer() else number
    if datatype == "datetime":
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        except ValueError:
            raise _error(
                code, _("Give a date and time as YYYY-MM-DDThh:mm, e.g. 2026-11-21T09:30.")
            ) from None
    limit = MAX_ANSWER_LENGTH.get(datatype, 200)
    if len(text) > limit:
        raise _error(code, _("At most %(limit)s characters.") % {"limit": limit})
    return text


def clean_answers(questions: list[dict], raw: Mapping[str, Any] | None) -> dict[str, Any]:
    """Validate answers against the questions; unknown codes are refused, blanks dropped."""
    raw = dict(raw or {})
    by_code = {question["code"]: question for question in questions}
    unknown = sorted(set(raw) - set(by_code))
    if unknown:
        raise _error(
            unknown[0], _("This category asks no question %(code)s.") % {"code": unknown[0]}
        )
    answers: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for question in ordered(questions):
        code = question["code"]
        value = raw.get(code)
        blank = value is None or (
            str(value).strip() == ""
            if not isinstance(value, list | tuple)
            else not any(str(item).strip() for item in value)
        )
        if blank:
            if question.get("required"):
                errors[f"attribute[{code}]"] = [_("This question must be answered.")]
            continue
        try:
            answers[code] = _clean_one(question, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return answers


def answered(questions: list[dict], answers: dict[str, Any]) -> list[tuple[dict, str]]:
    """(question, answer as text) for each answered question, in the questions' order; a
    choice shows its name in the active language (the template localises the question)."""
    from thesaban.core.templatetags.thesaban import localized

    rows = []
    for question in ordered(questions):
        value = answers.get(question["code"])
        if value in (None, "", []):
            continue
        names = {choice["key"]: localized(choice) for choice in question.get("values", [])}
        if isinstance(value, list):
            text = ", ".join(names.get(item, item) for item in value)
        else:
            text = names.get(value, str(value))
        rows.append((question, text))
    return rows
