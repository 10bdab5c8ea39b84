"""Fails when a translation catalogue is incomplete or its compiled .mo is out of date.

Thai must translate every message; English is the source language, so its catalogue exists
for completeness and may leave msgstr empty (gettext then shows the English msgid).
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "thesaban" / "locale"


def main() -> int:
    problems = []
    for language in ("th", "en"):
        po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
        mo_path = po_path.with_suffix(".mo")
        if not po_path.exists() or not mo_path.exists():
            problems.append(f"{language}: {po_path.name} or {mo_path.name} is missing")
            continue
        catalogue = polib.pofile(str(po_path))
        if language == "th":
            missing = [e.msgid for e in catalogue.untranslated_entries()]
            fuzzy = [e.msgid for e in catalogue.fuzzy_entries()]
            problems += [f"th: untranslated: {m!r}" for m in missing[:20]]
            problems += [f"th: fuzzy: {m!r}" for m in fuzzy[:20]]
        compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
        for entry in catalogue.translated_entries():
            if compiled.get((entry.msgctxt, entry.msgid)) != entry.msgstr and not entry.msgid_plural:
                problems.append(f"{language}: django.mo is older than django.po (run `make messages`)")
                break
    for problem in problems:
        print(problem)
    if not problems:
        print("catalogues complete and compiled")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
