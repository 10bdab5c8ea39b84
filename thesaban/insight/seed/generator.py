"""Compose the seed corpus from hand-written fragments.

Each category has a JSON file (`<code>.json`, beside this module) with its own fragments:

- `problems`: how people state the problem (the core of every example; 30 or more, covering
  the sub-kinds of the category), or, for message-kind categories (`"kind": "message"`:
  complaint, suggestion, inquiry, other), whole short messages;
- `details`: impacts and circumstances that belong to the category;
- `terse`: two-to-four-word labels people type when in a hurry ("ไฟดับ", "ถนนพัง").

`common.json` holds what every category shares: invented places, times, requests, angry
interjections, and the register templates (formal letter, polite speech, casual chat, terse,
elderly speech, regional particles, the 1555 hotline form, English mixed in). A template has
slots: {p} problem, {d} detail, {t} terse label, {place}, {short} (short place), {since},
{r} request, {angry}, {office}, {district}, {landmark}.

`compose(code, target=…)` draws registers by weight, fills a template with a seeded random
generator, adds light surface noise (abbreviations, Thai digits, particle spellings, no
spaces, repeated letters, emoji) and keeps only texts not seen before, until it has `target`
texts. The same version and code always give the same list.
"""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path

HERE = Path(__file__).resolve().parent

ARABIC_TO_THAI = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")
SLOT = re.compile(r"\{(\w+)\}")
SPACES = re.compile(r"\s+")
# "ซอย 5" → "ซ.5", "ซอยวัดกลาง" → "ซ.วัดกลาง" (not before a space and a new word).
ABBREVIATE_SOI = re.compile(r"ซอย ?(?=[0-9๐-๙])|ซอย(?=[ก-๙])")
EMOJI = ["🙏", "😭", "😩", "⚠️", "📍", "🙏🙏", "😢", "‼️", "👉", "📸"]
# Spellings people really type for the polite particles, and other light variations.
PARTICLE_VARIANTS = {
    "ครับ": ["คับ", "ครัช", "ค้าบ", "คร้าบ"],
    "ค่ะ": ["คะ", "ค่า", "คร่ะ"],
    "นะคะ": ["นะค่ะ", "น้า"],
}


@cache
def load(name: str) -> dict:
    """One fragment file (`common`, `categories` or a category code) as a dict."""
    with (HERE / f"{name}.json").open(encoding="utf-8") as handle:
        return json.load(handle)


def _noise(text: str, rng: random.Random) -> str:
    """Light, realistic surface variation; each kind applies to a minority of texts."""
    if rng.random() < 0.3:
        text = ABBREVIATE_SOI.sub("ซ.", text, count=1)
    if rng.random() < 0.25:
        for particle, variants in PARTICLE_VARIANTS.items():
            if particle in text:
                text = text.replace(particle, rng.choice(variants), 1)
    if rng.random() < 0.12:
        text = text.translate(ARABIC_TO_THAI)
    if rng.random() < 0.1:
        text = text.replace("มาก", "มากกก", 1).replace("ด้วย", "ด้วยยย", 1)
    if rng.random() < 0.12:
        text = text.replace(" ", "")
    if rng.random() < 0.1:
        text = f"{text} {rng.choice(EMOJI)}"
    return text


def _fill(template: str, values: dict[str, list[str]], rng: random.Random) -> str:
    def one(match: re.Match[str]) -> str:
        options = values.get(match.group(1))
        return rng.choice(options) if options else ""

    return SPACES.sub(" ", SLOT.sub(one, template)).strip()


def compose(code: str, *, target: int, seed: str, seen: set[str] | None = None) -> list[str]:
    """`target` distinct example texts for one category, deterministic for a given seed.
    `seen` (keys of texts already used by other categories) is updated in place, so texts
    stay unique across the whole corpus."""
    common = load("common")
    own = load(code)
    message_kind = own.get("kind") == "message"
    templates = common["message_templates" if message_kind else "templates"]
    weights = common["register_weights"]
    registers = [name for name in weights if templates.get(name)]
    register_weights = [weights[name] for name in registers]
    values = {
        "p": own["problems"],
        "d": own.get("details") or [""],
        "t": own.get("terse") or own["problems"],
        "place": common["places"],
        "short": common["places_short"],
        "since": common["since"],
        "r": common["requests"],
        "angry": common["angry"],
        "office": common["offices"],
        "district": common["districts"],
        "landmark": common["landmarks_en"],
    }
    rng = random.Random(f"{seed}:{code}")
    seen = set() if seen is None else seen
    texts: list[str] = []
    attempts = 0
    while len(texts) < target and attempts < target * 50:
        attempts += 1
        register = rng.choices(registers, register_weights)[0]
        text = _fill(rng.choice(templates[register]), values, rng)
        if message_kind and register != "terse" and rng.random() < 0.35:
            text = f"{text} {rng.choice(values['d'])}"
        text = _noise(text, rng)
        key = SPACES.sub("", text).lower()  # texts differing only in spacing count as one
        if key and key not in seen:
            seen.add(key)
            texts.append(text)
    return texts
