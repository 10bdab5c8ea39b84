"""The shipped seed corpus: enough distinct Thai examples for every default category, the same
on every call, and labels that map Traffy's and municipalities' names onto the codes."""

import json
import re
import time
from collections import Counter
from pathlib import Path

import pytest

import thesaban
from thesaban.insight.data import read_csv
from thesaban.insight.seed import (
    CORPUS_VERSION,
    DEFAULT_CATEGORIES,
    default_label,
    seed_corpus,
    write_csv,
)
from thesaban.insight.seed.generator import load

THAI = re.compile("[\u0e01-\u0e5b]")
DEMO_CATEGORIES = Path(thesaban.__file__).parent / "municipalities" / "demo" / "categories.json"
CODES = [
    "road", "sidewalk", "lighting", "cleanliness", "flooding", "drains", "trees", "wires",
    "stray-animals", "noise", "traffic", "signs", "traffic-signs", "canal", "bridge",
    "obstruction", "safety", "transport", "complaint", "pm25", "homeless", "suggestion",
    "toilets", "inquiry", "other",
]  # fmt: skip


def test_every_default_code_has_at_least_300_examples():
    counts = Counter(example.labels[0] for example in seed_corpus())
    assert sorted(counts) == sorted(CODES)
    assert min(counts.values()) >= 300, counts.most_common()[-3:]


def test_examples_are_single_labelled_and_undated():
    for example in seed_corpus():
        assert len(example.labels) == 1
        assert example.labels[0] in CODES
        assert example.when is None


def test_corpus_is_deterministic():
    first, second = seed_corpus(), seed_corpus()
    assert first == second
    assert first is not second  # callers may mutate their copy


def test_texts_are_unique_and_contain_thai():
    texts = [example.text for example in seed_corpus()]
    assert len(texts) == len(set(texts))
    assert all(THAI.search(text) for text in texts)
    assert all(text == text.strip() and text for text in texts)


def test_registers_are_varied():
    """The corpus is more than one sentence pattern: hotline form, formal letter, chat
    particles, short reports and Thai digits all occur."""
    texts = [example.text for example in seed_corpus()]
    assert sum("ปัญหา:" in t and "จุดเกิดเหตุ" in t for t in texts) > 200
    assert sum(t.startswith("เรียน ") for t in texts) > 200
    assert sum(any(p in t for p in ("คับ", "ค่า", "จ้า", "เด้อ", "เจ้า")) for t in texts) > 200
    assert sum(len(t) <= 20 for t in texts) > 300
    assert any(re.search("[๐-๙]", t) for t in texts)
    assert any(re.search("[A-Za-z]{3,}", t) for t in texts)


def test_each_category_file_has_enough_distinct_fragments():
    for code in CODES:
        fragments = load(code)
        assert len(set(fragments["problems"])) >= 28, code
        assert len(set(fragments["terse"])) >= 8, code


def test_generation_is_fast():
    from thesaban.insight.seed.generator import compose

    started = time.perf_counter()
    seen: set[str] = set()
    for code in CODES:
        compose(code, target=360, seed="timing", seen=seen)
    assert time.perf_counter() - started < 2  # about 0.5 s on a developer machine


def test_default_categories_agree_with_the_demo_municipality():
    demo = json.loads(DEMO_CATEGORIES.read_text(encoding="utf-8"))["categories"]
    ours = [(c["code"], c["name_th"], c["name_en"]) for c in DEFAULT_CATEGORIES]
    assert ours == [(c["code"], c["name_th"], c["name_en"]) for c in demo]
    assert [c["code"] for c in DEFAULT_CATEGORIES] == CODES
    for category in DEFAULT_CATEGORIES:
        assert isinstance(category["aliases"], list) and category["aliases"]


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("ถนน", "road"),
        ("ทางเท้า", "sidewalk"),
        ("แสงสว่าง", "lighting"),
        ("น้ำท่วม", "flooding"),
        ("น้ำท่วมขัง", "flooding"),
        (" Flood ", "flooding"),
        ("ท่อระบายน้ำ", "drains"),
        ("สัตว์จรจัด", "stray-animals"),
        ("stray-animals", "stray-animals"),
        ("Stray Animals", "stray-animals"),
        ("ป้าย", "signs"),
        ("ป้ายจราจร", "traffic-signs"),
        ("traffic_signs", "traffic-signs"),
        ("PM2.5", "pm25"),
        ("pm2.5", "pm25"),
        ("pm25", "pm25"),
        ("ร้องเรียน", "complaint"),
        ("เสนอแนะ", "suggestion"),
        ("สอบถาม", "inquiry"),
        ("คนจรจัด", "homeless"),
        ("อื่นๆ", "other"),
        ("อื่น ๆ", "other"),
        ("Other", "other"),
        ("Street lighting", "lighting"),
        ("การเดินทาง", "transport"),
    ],
)
def test_default_label_maps_names_codes_and_aliases(raw, code):
    assert default_label(raw) == code


def test_every_traffy_tag_maps_to_a_code():
    traffy_tags = [
        "ถนน", "ทางเท้า", "ความปลอดภัย", "ความสะอาด", "แสงสว่าง", "กีดขวาง", "น้ำท่วม", "สะพาน",
        "ร้องเรียน", "ท่อระบายน้ำ", "เสียงรบกวน", "จราจร", "ป้าย", "ต้นไม้", "คลอง", "สายไฟ",
        "สัตว์จรจัด", "เสนอแนะ", "คนจรจัด", "การเดินทาง", "สอบถาม", "PM2.5", "ห้องน้ำ", "ป้ายจราจร",
    ]  # fmt: skip
    assert len(traffy_tags) == 24
    assert all(default_label(tag) for tag in traffy_tags)


@pytest.mark.parametrize("raw", ["", "   ", "ไม่มีหมวดนี้", "weather", "road2", "ถนนน"])
def test_default_label_rejects_unknown_names(raw):
    assert default_label(raw) is None


def test_every_code_and_name_is_its_own_label():
    for category in DEFAULT_CATEGORIES:
        for name in (category["code"], category["name_th"], category["name_en"]):
            assert default_label(name) == category["code"]
        for alias in category["aliases"]:
            assert default_label(alias) == category["code"], alias


def test_write_csv_round_trips_through_read_csv(tmp_path):
    path = tmp_path / "seed.csv"
    written = write_csv(path)
    examples, skipped = read_csv(path, text_column="text", label_column="label")
    assert skipped == 0
    assert written == len(examples) == len(seed_corpus())
    assert examples == seed_corpus()
    assert path.read_text(encoding="utf-8").splitlines()[0] == "text,label"


def test_corpus_version_is_set():
    assert re.fullmatch(r"\d{4}\.\d+", CORPUS_VERSION)
