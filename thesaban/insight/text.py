"""Thai text made comparable: normalisation and word tokens.

Reports arrive typed on phones, pasted from LINE, or keyed in by a volunteer, so the same word
comes in several byte forms. `normalise` folds them together; `words` splits Thai into words
with PyThaiNLP's newmm and its bundled dictionary. Nothing is downloaded: PyThaiNLP is told it
is offline and may not write to a home folder.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

# Before PyThaiNLP is first imported: never fetch a corpus, never write ~/pythainlp-data.
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
os.environ.setdefault("PYTHAINLP_READ_ONLY", "1")

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# Zero-width space/joiners, word joiner, BOM and soft hyphen: invisible, but they split words.
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# Sara am typed as nikhahit + sara aa, with a tone mark before or between them.
SPLIT_SARA_AM = re.compile("([\u0e48-\u0e4b]?)\u0e4d([\u0e48-\u0e4b]?)\u0e32")
# The repetition mark, however it was spaced: "ดีๆ", "ดี ๆ", "ดี  ๆ" all become "ดี ๆ".
MAI_YAMOK = re.compile(r"\s*ๆ+")
# "มากกกกก", "555555", "!!!!": three or more of one character is emphasis, not spelling.
RUNS = re.compile(r"(.)\1{2,}")
SPACES = re.compile(r"\s+")
# Tokens worth keeping: anything with a Thai letter, a Latin letter or a digit.
WORDLIKE = re.compile(r"[\u0e01-\u0e2e\u0e30-\u0e4ca-z0-9]")


def normalise(text: str) -> str:
    """The canonical form of a Thai (or mixed) text: compatibility forms folded, Latin
    lower-cased, Thai digits as Arabic, invisible characters dropped, sara am in one code point,
    the repetition mark spaced one way, emphasis runs shortened, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = INVISIBLE.sub("", text)
    text = text.translate(THAI_DIGITS)
    text = SPLIT_SARA_AM.sub(lambda m: (m.group(1) or m.group(2)) + "\u0e33", text)
    text = MAI_YAMOK.sub(" ๆ", text)
    text = RUNS.sub(r"\1", text)
    text = SPACES.sub(" ", text).strip()
    return text.lower()


@lru_cache(maxsize=1)
def _newmm():
    from pythainlp.tokenize import word_tokenize

    return word_tokenize


def words(text: str, *, normalised: bool = False) -> list[str]:
    """Word tokens of a text (newmm), with ๆ expanded to the word it repeats and whitespace
    and punctuation dropped."""
    if not normalised:
        text = normalise(text)
    tokens: list[str] = []
    for token in _newmm()(text, engine="newmm", keep_whitespace=False):
        token = token.strip()
        if token.endswith("ๆ"):  # newmm returns "ๆ" alone or glued to its word ("ดี ๆ")
            base = token.rstrip("ๆ ").strip()
            if base and WORDLIKE.search(base):
                tokens.extend((base, base))
            elif tokens:
                tokens.append(tokens[-1])
            continue
        if token and WORDLIKE.search(token):
            tokens.append(token)
    return tokens


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """PyThaiNLP's bundled Thai stop words plus the politeness particles reports end with."""
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | {
        "ค่ะ", "คะ", "ครับ", "คับ", "จ้า", "จ้ะ", "นะ", "น่ะ", "ค่า", "ฮะ", "รบกวน", "ช่วย", "ด้วย",
    }  # fmt: skip
