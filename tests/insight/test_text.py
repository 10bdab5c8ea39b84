"""Thai text made comparable: the byte forms people actually type fold into one."""

from __future__ import annotations

import os

import pytest

from thesaban.insight.text import normalise, stopwords, words

NIKHAHIT, SARA_AA, SARA_AM, MAI_THO = "\u0e4d", "\u0e32", "\u0e33", "\u0e49"


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        # Sara am keyed as nikhahit + sara aa, with the tone mark before or between them.
        (f"น{MAI_THO}{NIKHAHIT}{SARA_AA}ท่วม", f"น{MAI_THO}{SARA_AM}ท่วม"),
        (f"น{NIKHAHIT}{MAI_THO}{SARA_AA}ท่วม", f"น{MAI_THO}{SARA_AM}ท่วม"),
        (f"ท{NIKHAHIT}{SARA_AA}ถนน", f"ท{SARA_AM}ถนน"),
        # Thai digits are Arabic digits.
        ("ซอย ๑๒ บ้านเลขที่ ๔๕/๖", "ซอย 12 บ้านเลขที่ 45/6"),
        # Zero-width space, joiners, word joiner, BOM and soft hyphen are invisible noise.
        ("ไฟ\u200bดับ\u200c\u200d\u2060\ufeff\u00adครับ", "ไฟดับครับ"),
        # The repetition mark, however it was spaced.
        ("ดีๆ", "ดี ๆ"),
        ("ดี   ๆ", "ดี ๆ"),
        ("เร็วๆๆ", "เร็ว ๆ"),
        # Emphasis runs, Latin case, full-width forms and whitespace.
        ("เหม็นมากกกกก!!!!", "เหม็นมาก!"),
        ("555555", "5"),
        ("ＰＭ２.５  สูง\n\tมาก", "pm2.5 สูง มาก"),
        ("", ""),
    ],
)
def test_normalise_folds_the_forms_people_type(typed, canonical):
    assert normalise(typed) == canonical
    assert normalise(canonical) == canonical  # idempotent


def test_the_same_report_typed_two_ways_gives_the_same_words():
    phone = f"น{NIKHAHIT}{MAI_THO}{SARA_AA}ท่วมซอย๕\u200bหนักมากกกก"
    keyboard = f"น{MAI_THO}{SARA_AM}ท่วมซอย5 หนักมาก"
    assert words(phone) == words(keyboard)
    assert "น้ำท่วม" in words(keyboard)


def test_words_expand_the_repetition_mark_and_drop_punctuation():
    assert words("ถนนดีๆ เดินเร็ว ๆ !!! ...") == ["ถนน", "ดี", "ดี", "เดิน", "เร็ว", "เร็ว"]
    assert words("") == []


def test_nothing_is_fetched_or_written_at_run_time():
    # Set before PyThaiNLP is imported: it must not download corpora or write ~/pythainlp-data.
    assert os.environ["PYTHAINLP_OFFLINE"] == "1"
    assert os.environ["PYTHAINLP_READ_ONLY"] == "1"
    assert {"ครับ", "ค่ะ", "ที่", "และ"} <= stopwords()
