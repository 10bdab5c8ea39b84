"""The text classifier on a small hand-written Thai data set: learning, probabilities, several
labels per row, storage, determinism, explanations and the evaluation arithmetic."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest

from thesaban.insight.classifier import (
    ALGORITHM_VERSION,
    DEFAULT_SEED,
    Classifier,
    Prediction,
    evaluate,
    train,
)
from thesaban.insight.data import Example, data_fingerprint
from thesaban.insight.text import stopwords

ROAD = [
    "ถนนเป็นหลุมเป็นบ่อ รถขับลำบากมาก",
    "ถนนหน้าบ้านชำรุด มีหลุมใหญ่กลางถนน",
    "ผิวถนนแตกร้าว น้ำขังในหลุม",
    "หลุมบนถนนลึกมาก รถจักรยานยนต์ล้มบ่อย",
    "ขอให้ซ่อมถนนในซอยด้วยครับ ถนนพังหมดแล้ว",
    "ยางมะตอยหลุดร่อน ถนนขรุขระ",
    "ถนนทรุดตัว รถวิ่งผ่านไม่ได้",
    "มีหลุมบ่อบนถนนเส้นหลัก ช่วยปะถนนด้วย",
    "ถนนลูกรังเป็นหลุม ฝนตกแล้วเละ",
    "ถนนคอนกรีตแตกเป็นแผ่น",
    "ขอให้ลาดยางถนนใหม่ หลุมเยอะมาก",
    "ถนนในหมู่บ้านพังเสียหาย",
]
LIGHTING = [
    "ไฟฟ้าส่องสว่างดับทั้งซอย มืดมาก",
    "เสาไฟไม่ติดมาหลายวันแล้ว",
    "หลอดไฟทางเสีย กลางคืนมืดอันตราย",
    "ไฟกิ่งดับ ช่วยเปลี่ยนหลอดไฟด้วย",
    "ซอยมืดมาก ไม่มีแสงสว่าง กลัวขโมย",
    "โคมไฟสาธารณะกระพริบทั้งคืน",
    "ไฟดับหน้าโรงเรียน เด็กเดินกลับบ้านมืด",
    "ขอติดตั้งไฟส่องสว่างเพิ่มในซอย",
    "หลอดไฟเสาหน้าวัดขาด ไม่สว่าง",
    "แสงสว่างไม่พอ ไฟทางดับหลายต้น",
    "ไฟฟ้าสาธารณะไม่ติดตอนกลางคืน",
    "เสาไฟล้ม หลอดไฟแตก",
]
GARBAGE = [
    "ขยะล้นถังไม่มีคนมาเก็บ",
    "รถเก็บขยะไม่มาเก็บหลายวัน ส่งกลิ่นเหม็น",
    "มีคนทิ้งขยะริมทาง สกปรกมาก",
    "กองขยะหน้าตลาดเหม็นมาก",
    "ขอถังขยะเพิ่มในชุมชน",
    "ขยะเกลื่อนกลาดริมคลอง",
    "ลักลอบทิ้งขยะในที่ดินว่าง",
    "ถุงขยะถูกสุนัขคุ้ยกระจาย",
    "ขยะไม่ได้รับการจัดเก็บ กลิ่นเหม็นรบกวน",
    "เศษขยะเต็มซอย ไม่มีใครเก็บ",
    "ถังขยะแตก ขยะไหลออกมา",
    "กลิ่นขยะเน่าเหม็นทั้งหมู่บ้าน",
]


def dataset() -> list[Example]:
    examples = []
    for label, texts in (("road", ROAD), ("lighting", LIGHTING), ("garbage", GARBAGE)):
        examples.extend(Example(text=text, labels=(label,)) for text in texts)
    return examples


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return train(dataset())


class StubClassifier:
    """Predicts from a fixed table, to check `evaluate`'s arithmetic by hand."""

    labels = ["a", "b", "c"]

    def __init__(self, answers: dict[str, str]) -> None:
        self.answers = answers

    def predict(self, texts, *, explain=False):
        out = []
        for text in texts:
            label = self.answers[text]
            others = [x for x in self.labels if x != label]
            top = [(label, 0.6), (others[0], 0.3), (others[1], 0.1)]
            out.append(Prediction(label=label, probability=0.6, top=top, reasons=[]))
        return out


def test_learns_the_labels_and_predicts_unseen_texts(classifier):
    assert classifier.labels == ["garbage", "lighting", "road"]
    predictions = classifier.predict(["หลุมใหญ่บนถนนหน้าวัด", "ไฟส่องสว่างดับ ซอยมืด", "ขยะกองใหญ่ไม่มีคนเก็บ"])
    assert [p.label for p in predictions] == ["road", "lighting", "garbage"]


def test_probabilities_sum_to_one_and_top_three_is_ordered(classifier):
    texts = ["ถนนพังเป็นหลุม", "ขยะเหม็น", "ไฟดับ", "ข้อความที่ไม่เกี่ยวกับอะไรเลย"]
    matrix = classifier.predict_proba(texts)
    assert np.allclose(matrix.sum(axis=1), 1.0)
    for prediction in classifier.predict(texts):
        assert len(prediction.top) == 3
        probabilities = [p for _label, p in prediction.top]
        assert probabilities == sorted(probabilities, reverse=True)
        assert prediction.top[0] == (prediction.label, prediction.probability)
        assert sum(probabilities) == pytest.approx(1.0)
        assert {label for label, _p in prediction.top} == set(classifier.labels)
        assert prediction.reasons == []


def test_empty_input_gives_no_predictions(classifier):
    assert classifier.predict([]) == []


def test_meta_records_the_run(classifier):
    meta = classifier.meta
    assert meta["algorithm_version"] == ALGORITHM_VERSION
    assert meta["seed"] == DEFAULT_SEED
    assert meta["data_fingerprint"] == data_fingerprint(dataset())
    assert meta["n_examples"] == 36
    assert meta["label_counts"] == {"garbage": 12, "lighting": 12, "road": 12}
    assert meta["params"]["C"] > 0
    assert meta["trained_at"]


def test_a_row_with_several_labels_counts_for_each_half_as_much():
    examples = dataset()
    both = "ไฟดับและถนนเป็นหลุม"
    examples += [Example(text=both, labels=("road", "lighting"))] * 3
    model = train(examples)
    assert model.meta["label_counts"] == {"garbage": 12, "lighting": 15, "road": 15}
    top = dict(model.predict([both])[0].top)
    # The mixed text leans to both of its labels, not to the third.
    assert top["road"] > 0.25 and top["lighting"] > 0.25
    assert top.get("garbage", 0.0) < min(top["road"], top["lighting"])


def test_round_trip_gives_identical_predictions(classifier):
    data = classifier.to_bytes()
    assert zipfile.is_zipfile(io.BytesIO(data))
    loaded = Classifier.from_bytes(data)
    texts = ["ถนนพังเป็นหลุม", "ขยะเหม็นมาก", "ไฟทางดับ มืด", "อื่น ๆ"]
    assert loaded.labels == classifier.labels
    assert np.array_equal(loaded.predict_proba(texts), classifier.predict_proba(texts))
    assert loaded.predict(texts, explain=True) == classifier.predict(texts, explain=True)
    assert loaded.to_bytes() == data
    assert {k: v for k, v in loaded.meta.items() if k != "trained_at"} == {
        k: v for k, v in classifier.meta.items() if k != "trained_at"
    }
    # No pickles inside: every member loads with allow_pickle=False.
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        assert all(archive[name].dtype != object for name in archive.files)


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: b"not a model at all",
        lambda data: data[: len(data) // 2],
        lambda data: data[:100] + bytes(200) + data[300:],
    ],
    ids=["empty", "foreign", "truncated", "overwritten"],
)
def test_corrupt_bytes_are_refused(classifier, damage):
    with pytest.raises(ValueError):
        Classifier.from_bytes(damage(classifier.to_bytes()))


def test_a_foreign_npz_is_refused():
    buffer = io.BytesIO()
    np.savez(buffer, coef=np.zeros((2, 2)), header=np.frombuffer(b'{"format":"x"}', np.uint8))
    with pytest.raises(ValueError, match="Not a usable classifier"):
        Classifier.from_bytes(buffer.getvalue())


def test_same_examples_and_seed_give_the_same_model(classifier):
    again = train(dataset(), seed=DEFAULT_SEED)
    assert again.to_bytes() == classifier.to_bytes()
    texts = ["ถนนพัง", "ขยะ", "ไฟดับ"]
    assert again.predict(texts, explain=True) == classifier.predict(texts, explain=True)


def test_explanation_names_the_telling_word(classifier):
    prediction = classifier.predict(["วันนี้มีขยะกองอยู่หน้าบ้านเต็มไปหมด"], explain=True)[0]
    assert prediction.label == "garbage"
    words = [word for word, _weight in prediction.reasons]
    assert "ขยะ" in words[:3]
    weights = [weight for _word, weight in prediction.reasons]
    assert all(w > 0 for w in weights) and weights == sorted(weights, reverse=True)

    road = classifier.predict(["เมื่อวานฝนตก ถนนหน้าบ้านเป็นหลุมใหญ่"], explain=True)[0]
    assert road.label == "road"
    assert {"ถนน", "หลุม"} & {word for word, _w in road.reasons[:3]}
    # Stop words may weigh in the model but never stand as a reason ("เป็น", "มี", "ที่").
    assert not {word for word, _w in road.reasons + prediction.reasons} & stopwords()


def test_evaluate_on_a_hand_checkable_case():
    examples = [
        Example("t1", ("a",)),  # predicted a: right
        Example("t2", ("a",)),  # predicted b: wrong, gold a
        Example("t3", ("b", "c")),  # predicted c: right (any of the row's labels), gold c
        Example("t4", ("b",)),  # predicted b: right
        Example("t5", ("z",)),  # a label the model does not know: wrong, gold z
    ]
    stub = StubClassifier({"t1": "a", "t2": "b", "t3": "c", "t4": "b", "t5": "a"})
    result = evaluate(stub, examples)
    # Right: t1, t3, t4 → 3 of 5.
    assert result["accuracy"] == 0.6
    assert result["n"] == 5
    assert result["multi_label_rows"] == 1
    # Gold a b... = [a, a, c, b, z]; predicted [a, b, c, b, a].
    # a: tp 1, predicted 2, support 2 → P ½ R ½ F ½
    # b: tp 1, predicted 2, support 1 → P ½ R 1 F ⅔
    # c: tp 1, predicted 1, support 1 → F 1
    # z: tp 0, support 1 → F 0
    assert result["labels"] == ["a", "b", "c", "z"]
    assert result["per_label"]["a"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert result["per_label"]["b"]["f1"] == pytest.approx(0.6667)
    assert result["per_label"]["c"]["f1"] == 1.0
    assert result["per_label"]["z"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert result["macro_f1"] == pytest.approx((0.5 + 2 / 3 + 1 + 0) / 4, abs=1e-4)
    # Top 3 always holds a, b and c here: only t5 (z) misses.
    assert result["top3_accuracy"] == 0.8


def test_evaluate_a_trained_model(classifier):
    result = evaluate(classifier, dataset())
    assert result["accuracy"] == 1.0 and result["macro_f1"] == 1.0 and result["n"] == 36


def test_progress_is_reported_from_zero_to_one():
    seen: list[float] = []
    train(dataset(), progress=lambda fraction, note: seen.append(fraction))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


@pytest.mark.parametrize(
    "examples, message",
    [
        ([Example("ถนนพัง", ("road",))] * 10, "at least 2 different labels"),
        ([], "at least 2 different labels"),
        ([Example("ถนนพัง", ("road",)), Example("ขยะ", ("garbage",))], "at least 4"),
    ],
)
def test_too_little_to_learn_from_is_a_clear_error(examples, message):
    with pytest.raises(ValueError, match=message):
        train(examples)


def test_evaluate_needs_examples(classifier):
    with pytest.raises(ValueError, match="no labelled examples"):
        evaluate(classifier, [])


@pytest.mark.parametrize(
    "params",
    [{"word_ngrams": [0, 0], "char_ngrams": [1, 3]}, {"char_ngrams": [2, 4]}],
    ids=["chars only", "words and chars"],
)
def test_character_features_explain_in_words(params):
    model = train(dataset(), params=params)
    assert model.meta["params"]["char_ngrams"] == params["char_ngrams"]
    prediction = model.predict(["วันนี้มีขยะกองอยู่หน้าบ้านเต็มไปหมด"], explain=True)[0]
    assert prediction.label == "garbage"
    assert "ขยะ" in [word for word, _weight in prediction.reasons[:3]]
    loaded = Classifier.from_bytes(model.to_bytes())
    assert loaded.predict(["ไฟดับ ซอยมืด"], explain=True) == model.predict(
        ["ไฟดับ ซอยมืด"], explain=True
    )


def test_unknown_parameters_are_refused():
    with pytest.raises(ValueError, match="Unknown classifier parameters"):
        train(dataset(), params={"depth": 3})


def test_two_labels_work_like_many():
    examples = [e for e in dataset() if e.labels[0] != "garbage"]
    model = train(examples)
    assert model.labels == ["lighting", "road"]
    prediction = model.predict(["ถนนพังเป็นหลุม"])[0]
    assert prediction.label == "road"
    assert [label for label, _p in prediction.top] == ["road", "lighting"]
    assert sum(p for _label, p in prediction.top) == pytest.approx(1.0)
