"""The clustering itself (no database): planted themes are found again, with their words as
keywords; the result is reproducible; too few comments say so."""

import random
from collections import Counter

from thesaban.insight.topics.clustering import (
    Parameters,
    cluster_comments,
    display_term,
    fingerprint,
    tokens,
)

# Three vocabularies that share nothing, and filler every comment draws from.
PLANTED = {
    "flood": ["น้ำท่วม", "ท่อระบายน้ำ", "ขุดลอก", "คลอง", "สูบน้ำ", "ฝนตกหนัก"],
    "waste": ["ขยะ", "ถังขยะ", "คัดแยก", "กลิ่นเหม็น", "รีไซเคิล", "เผาขยะ"],
    "elderly": ["ผู้สูงอายุ", "เบี้ยยังชีพ", "ตรวจสุขภาพ", "โรงพยาบาล", "ผู้พิการ", "กายภาพบำบัด"],
}
FILLER = ["อยากให้", "เทศบาล", "ชุมชน", "ของเรา", "ปรับปรุง", "โครงการ", "ทุกวัน", "บ้าน"]
FILLER += ["ประชาชน", "เร่งด่วน", "แก้ไข", "ปัญหา"]


def planted_corpus(per_theme: int = 40, seed: int = 7) -> tuple[list[tuple[int, str]], dict]:
    """`per_theme` comments per planted theme: three of its words and three filler words, in a
    random order; returns the comments and each comment's true theme."""
    rng = random.Random(seed)
    comments, truth = [], {}
    for name, vocabulary in PLANTED.items():
        for _ in range(per_theme):
            words = rng.sample(vocabulary, 3) + rng.sample(FILLER, 3)
            rng.shuffle(words)
            comment_id = len(comments) + 1
            comments.append((comment_id, " ".join(words)))
            truth[comment_id] = name
    order = list(range(len(comments)))
    rng.shuffle(order)  # the themes are not in blocks of ids
    return [(index + 1, comments[position][1]) for index, position in enumerate(order)], {
        index + 1: truth[comments[position][0]] for index, position in enumerate(order)
    }


def test_planted_themes_are_recovered_with_their_words_as_keywords():
    comments, truth = planted_corpus()
    result = cluster_comments(comments)
    assert result.status == "ready"
    assert result.k == 3
    assert result.n_comments == result.n_clustered == 120
    assert sum(theme.size for theme in result.themes) == 120
    found = set()
    for theme in result.themes:
        planted, count = Counter(truth[i] for i in theme.members).most_common(1)[0]
        assert count / theme.size >= 0.9, (theme.keywords, Counter(truth[i] for i in theme.members))
        assert count >= 36  # nearly all 40 of the planted theme are here
        found.add(planted)
        # The theme's keywords are its planted words, not the filler everybody uses.
        keywords = set(theme.keywords)
        assert len(keywords & set(PLANTED[planted])) >= 3, theme.keywords
        assert not keywords & set(FILLER), theme.keywords
        assert theme.label.split(" · ")[0] == theme.keywords[0]
        # Representatives are members, nearest the centre first, each with an excerpt.
        assert 1 <= len(theme.representatives) <= 3
        assert [r["id"] for r in theme.representatives] == theme.members[
            : len(theme.representatives)
        ]
        assert all(truth[r["id"]] == planted for r in theme.representatives)
        assert abs(theme.share - theme.size / 120) < 1e-3
    assert found == set(PLANTED)
    assert result.silhouette == max(result.silhouette_by_k.values())


def test_the_same_input_and_seed_give_the_same_result_and_record_how():
    comments, _truth = planted_corpus(per_theme=20)
    first = cluster_comments(comments, seed=11).as_dict()
    second = cluster_comments(list(reversed(comments)), seed=11).as_dict()
    for result in (first, second):
        result.pop("timings")
    assert first == second
    assert first["seed"] == 11
    assert first["parameters"]["max_k"] == 8 and first["parameters"]["min_df"] == 2
    assert first["fingerprint"] == fingerprint(comments)
    assert len(first["fingerprint"]) == 64


def test_the_fingerprint_changes_with_any_text_or_id():
    comments = [(1, "ถนนชำรุด"), (2, "น้ำท่วม")]
    assert fingerprint(comments) == fingerprint(list(reversed(comments)))
    assert fingerprint(comments) != fingerprint([(1, "ถนนชำรุด"), (2, "น้ำท่วมขัง")])
    assert fingerprint(comments) != fingerprint([(1, "ถนนชำรุด"), (3, "น้ำท่วม")])


def test_too_few_comments_is_a_clear_result_not_invented_themes():
    result = cluster_comments([(i, f"ถนนชำรุด ซอย {i}") for i in range(1, 6)])
    assert result.status == "too_few"
    assert result.themes == [] and result.k == 0
    assert result.n_comments == 5
    empty = cluster_comments([])
    assert empty.status == "too_few" and empty.n_comments == 0


def test_comments_without_words_are_counted_but_not_clustered():
    comments, _truth = planted_corpus(per_theme=10)
    noise = [(1000 + i, text) for i, text in enumerate(["555555", "!!!", "😀😀", "   ", "ค่ะ"])]
    result = cluster_comments(comments + noise)
    assert result.n_comments == 35 and result.n_clustered == 30
    assert result.status == "ready"
    assert not {item for theme in result.themes for item in theme.members} & {i for i, _ in noise}
    only_noise = cluster_comments(noise * 3)
    assert only_noise.status == "too_few"


def test_identical_comments_do_not_break_it():
    result = cluster_comments([(i, "ไฟดับในซอยมืดมาก") for i in range(1, 30)])
    assert result.status in {"ready", "too_few"}
    if result.status == "ready":
        assert sum(theme.size for theme in result.themes) == 29
        # The same text is not repeated as its own representative.
        assert all(len(theme.representatives) == 1 for theme in result.themes)


def test_a_fixed_k_skips_the_search():
    comments, _truth = planted_corpus(per_theme=15)
    result = cluster_comments(comments, parameters=Parameters(k=2))
    assert result.k == 2 and len(result.themes) == 2
    assert result.silhouette_by_k == {}


def test_progress_is_reported_up_to_100():
    comments, _truth = planted_corpus(per_theme=10)
    seen = []
    cluster_comments(comments, progress=lambda percent, stage: seen.append((percent, stage)))
    percents = [percent for percent, _stage in seen]
    assert percents == sorted(percents)
    assert percents[-1] == 100 and seen[-1][1] == "done"
    assert {"tokenise", "cluster", "keywords"} <= {stage for _percent, stage in seen}


def test_tokens_drop_stop_words_particles_and_numbers():
    words = tokens("อยากให้ซ่อมถนนค่ะ 123 ครับ")
    assert "ถนน" in words and "ซ่อม" in words
    assert not {"ค่ะ", "ครับ", "123"} & set(words)


def test_thai_phrases_are_shown_without_a_space():
    assert display_term("ขุด ลอก") == "ขุดลอก"
    assert display_term("wifi ฟรี") == "wifi ฟรี"
    assert display_term("ถนน") == "ถนน"
