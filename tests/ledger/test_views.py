"""The public JSON at fixed URLs, the human pages, bad parameters, tenant isolation, and the
stand-alone verification script run against a live server."""

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from tests import factories
from thesaban.ledger import merkle
from thesaban.ledger.models import LedgerEntry
from thesaban.reports import services as report_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def log(make_report, municipality):
    return [make_report() for _ in range(7)]


def url(name, municipality, **kwargs):
    return reverse(f"ledger:{name}", kwargs={"municipality": municipality.slug, **kwargs})


def get_json(client, path, params=None, status=200):
    response = client.get(path, params or {})
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_tree_head_json_is_signed_over_the_canonical_fields(client, log, municipality):
    head = get_json(client, url("tree_head", municipality))
    assert set(head) == {
        "municipality",
        "tree_size",
        "root_hash",
        "timestamp",
        "signature",
        "public_key",
    }
    assert head["tree_size"] == 7 and head["municipality"] == municipality.slug
    assert head["root_hash"] == head["root_hash"].lower() and len(head["root_hash"]) == 64
    message = json.dumps(
        {k: head[k] for k in ("municipality", "root_hash", "timestamp", "tree_size")},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(head["public_key"]))
    key.verify(base64.b64decode(head["signature"]), message)  # raises InvalidSignature if not
    pem = client.get(url("public_key", municipality)).content
    assert load_pem_public_key(pem).public_bytes_raw() == base64.b64decode(head["public_key"])


def test_entries_and_proofs_check_out_against_the_signed_head(client, log, municipality):
    head = get_json(client, url("tree_head", municipality))
    root = bytes.fromhex(head["root_hash"])
    for index in range(7):
        entry = get_json(client, url("entry_json", municipality, index=index))
        assert set(entry) == {"index", "leaf", "leaf_hash", "record_type"}
        assert entry["index"] == index and entry["record_type"] == "report.status"
        assert entry["leaf_hash"] == merkle.leaf_hash(entry["leaf"].encode()).hex()
        proof = get_json(client, url("inclusion", municipality), {"index": index, "tree_size": 7})
        assert (proof["leaf_index"], proof["tree_size"]) == (index, 7)
        path = [bytes.fromhex(h) for h in proof["audit_path"]]
        assert merkle.verify_inclusion(index, 7, bytes.fromhex(entry["leaf_hash"]), path, root)
    report_services.report_create(
        municipality=municipality, category=log[0].category, description="x", address="y"
    )
    new_head = get_json(client, url("tree_head", municipality))
    proof = get_json(client, url("consistency", municipality), {"first": 7, "second": 8})
    assert (proof["first"], proof["second"]) == (7, 8)
    assert merkle.verify_consistency(
        7,
        8,
        root,
        bytes.fromhex(new_head["root_hash"]),
        [bytes.fromhex(h) for h in proof["consistency_path"]],
    )
    # Without tree_size / second the current size is used.
    assert get_json(client, url("inclusion", municipality), {"index": 0})["tree_size"] == 8


BAD_INCLUSION = [
    ({}, "The parameter “%(name)s” is required.", {"name": "index"}),
    ({"index": "abc"}, None, None),
    ({"index": "-1"}, None, None),
    ({"index": "1.5"}, None, None),
    ({"index": "9" * 40}, None, None),
    ({"index": "7", "tree_size": "7"}, None, None),
    ({"index": "0", "tree_size": "8"}, None, None),
    ({"index": "0", "tree_size": "0"}, None, None),
]


@pytest.mark.parametrize(("params", "msgid", "values"), BAD_INCLUSION)
@pytest.mark.parametrize("language", ["th", "en"])
def test_bad_inclusion_parameters_are_a_400_in_the_visitors_language(
    log, municipality, params, msgid, values, language
):
    client = Client()
    response = client.get(url("inclusion", municipality), {**params, "lang": language})
    assert response.status_code == 400
    assert response["Content-Language"] == language
    body = response.json()
    assert body["status"] == 400 and body["error"]
    if msgid:
        with translation.override(language):
            assert body["error"] == gettext(msgid) % values


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"first": "0"},
        {"first": "x"},
        {"first": "5", "second": "4"},
        {"first": "1", "second": "99"},
    ],
)
def test_bad_consistency_parameters_are_a_400(client, log, municipality, params):
    response = client.get(url("consistency", municipality), params)
    assert response.status_code == 400
    assert "error" in response.json()


def test_unknown_entries_are_a_404_and_writes_are_refused(client, log, municipality):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = get_json(client, url("entry_json", municipality, index=7), status=404)
    assert "0 to 6" in body["error"]
    assert client.get(url("entry", municipality, index=99)).status_code == 404
    assert client.post(url("tree_head", municipality)).status_code == 405
    assert client.get(f"/{municipality.slug}/ledger/entries/-1.json").status_code == 404


def test_an_empty_log_has_a_signed_empty_head_and_refuses_proofs(client, municipality):
    head = get_json(client, url("tree_head", municipality))
    assert (head["tree_size"], head["root_hash"]) == (0, merkle.EMPTY_ROOT.hex())
    assert client.get(url("inclusion", municipality), {"index": 0}).status_code == 400
    assert client.get(url("consistency", municipality), {"first": 1}).status_code == 400
    assert client.get(url("index", municipality)).status_code == 200


@pytest.mark.parametrize("language", ["th", "en"])
def test_the_public_pages_explain_verification_and_hold_no_personal_data(
    log, municipality, language
):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    for path in (url("index", municipality), url("entry", municipality, index=3)):
        response = client.get(path)
        assert response.status_code == 200
        html = response.content.decode()
        for secret in ("สมศรี", "somsri.secret", "089-876-5432", "ถนนเป็นหลุม"):
            assert secret not in html
        assert "verify_ledger.py" in html
    index_html = client.get(url("index", municipality)).content.decode()
    with translation.override(language):
        assert gettext("How to check a published figure, step by step") in index_html
    assert log[-1].tracking_code in index_html  # the latest entries are listed
    entry = LedgerEntry.objects.get(municipality=municipality, index=3)
    entry_html = client.get(entry.get_absolute_url()).content.decode()
    assert entry.leaf_hash_hex in entry_html


def test_one_municipality_never_shows_anothers_entries(log, municipality, other_municipality):
    client = Client()
    other_category = factories.CategoryFactory(municipality=other_municipality, code="road")
    other = report_services.report_create(
        municipality=other_municipality, category=other_category, description="x", address="y"
    )
    b_head = get_json(client, url("tree_head", other_municipality))
    assert b_head["tree_size"] == 1
    b_entry = get_json(client, url("entry_json", other_municipality, index=0))
    assert other.tracking_code in b_entry["leaf"]
    for path, params in (
        (url("index", municipality), {}),
        (url("entry_json", municipality, index=0), {}),
        (url("entry", municipality, index=0), {}),
        (url("tree_head", municipality), {}),
    ):
        response = client.get(path, params)
        assert other.tracking_code.encode() not in response.content
        assert b_head["root_hash"].encode() not in response.content
    # B's single entry is not addressable as A's entry 7.
    assert client.get(url("entry_json", municipality, index=7)).status_code == 404


def _load_script():
    """The script as a visitor downloads it: a file of the static folder, not a package module."""
    import importlib.util
    from pathlib import Path

    import thesaban.ledger

    path = Path(thesaban.ledger.__file__).parent / "static" / "ledger" / "verify_ledger.py"
    spec = importlib.util.spec_from_file_location("verify_ledger", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_verification_script_checks_an_entry_over_http(live_server, municipality, make_report):
    verify_ledger = _load_script()
    reports = [make_report() for _ in range(5)]
    base = live_server.url + url("index", municipality)
    lines: list[str] = []
    assert verify_ledger.check(base, 3, out=lines.append) == 0, lines
    assert [line[:6].strip() for line in lines[1:4]] == ["OK", "OK", "OK"]
    saved = lines[-1].rsplit(" ", 1)[1]  # SIZE:ROOT to keep
    report_services.report_create(
        municipality=municipality, category=reports[0].category, description="x", address="y"
    )
    lines.clear()
    assert verify_ledger.check(base, 5, since=saved, out=lines.append) == 0, lines
    assert any("consistency" in line and line.startswith("OK") for line in lines)
    # A forged earlier head is caught.
    lines.clear()
    forged = saved.split(":")[0] + ":" + "00" * 32
    assert verify_ledger.check(base, 5, since=forged, out=lines.append) == 1


@pytest.mark.skipif(__import__("shutil").which("openssl") is None, reason="needs openssl")
def test_the_script_checks_the_signature_with_openssl_when_cryptography_is_absent(
    client, log, municipality, monkeypatch
):
    verify_ledger = _load_script()
    head = get_json(client, url("tree_head", municipality))
    message = json.dumps(
        {k: head[k] for k in ("municipality", "root_hash", "timestamp", "tree_size")},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()
    key, signature = base64.b64decode(head["public_key"]), base64.b64decode(head["signature"])
    monkeypatch.setitem(__import__("sys").modules, "cryptography.exceptions", None)
    assert verify_ledger.signature_ok(key, signature, message) is True
    assert verify_ledger.signature_ok(key, signature, message + b" ") is False
