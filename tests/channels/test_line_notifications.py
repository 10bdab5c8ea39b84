"""Status changes pushed back to the LINE user who reported, through the notifications outbox
and the app's real line-bot-sdk client, to the local fake of LINE's servers."""

# The pytest fixtures are imported from tests/channels/line_fixtures.py and used as arguments.
# ruff: noqa: F811

import uuid
from types import SimpleNamespace

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests.channels.line_fixtures import (  # noqa: F401  (pytest fixtures)
    ACCESS_TOKEN,
    LineChat,
    categories,
    line_api,
    line_channel,
)
from thesaban.channels.line.messenger import retry_key
from thesaban.channels.line.services import send_delivery
from thesaban.notifications import outbox
from thesaban.notifications.models import Delivery
from thesaban.notifications.registry import PermanentFailure, TemporaryFailure, sender_for
from thesaban.reports.models import Report
from thesaban.reports.services import report_transition

pytestmark = pytest.mark.django_db


def report_through_line(chat: LineChat, category, *, consent: bool, english=False) -> Report:
    chat.say("report" if english else "แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    chat.say("A deep pothole in the road" if english else "ถนนเป็นหลุมลึกมาก")
    chat.share_location(13.005, 100.005)
    chat.tap("a=skip")
    chat.tap(f"a=consent&v={'yes' if consent else 'no'}")
    chat.tap("a=confirm&v=yes")
    return Report.objects.filter(channel=Report.Channel.LINE).latest("id")


def test_the_line_sender_is_registered():
    assert sender_for("line") is send_delivery


def test_a_status_change_is_pushed_to_the_reporter_exactly_once(
    municipality,
    line_channel,
    line_api,
    categories,
    category,
    admin_user,
    django_capture_on_commit_callbacks,
):
    chat = LineChat(Client(), municipality.slug, user_id="U" + "1" * 32)
    report = report_through_line(chat, category, consent=True)
    assert line_api.pushes == []  # the receipt was a reply, not a push

    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, actor=admin_user, to_status="in_progress")

    (push,) = line_api.pushes
    assert push.headers["Authorization"] == f"Bearer {ACCESS_TOKEN}"
    assert push.json["to"] == chat.user_id
    text = push.json["messages"][0]["text"]
    assert report.tracking_code in text
    with translation.override("th"):
        assert gettext("In progress") in text
    assert f"/reports/{report.tracking_code}/" in text
    delivery = Delivery.objects.get(channel="line")
    assert delivery.status == Delivery.Status.SENT
    assert push.headers["X-Line-Retry-Key"] == retry_key(delivery.idempotency_key)
    uuid.UUID(push.headers["X-Line-Retry-Key"])

    # The sweeper finds nothing more to send; a crash-and-retry of the same delivery reaches
    # LINE with the same retry key, which LINE answers 409 (already accepted): still "sent".
    outbox.deliver_until_done()
    assert len(line_api.pushes) == 1
    send_delivery(delivery)
    assert len(line_api.pushes) == 2 and len(line_api.accepted_retry_keys) == 1

    # The next change is a new push.
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(
            report=report, actor=admin_user, to_status="resolved", public_note="ซ่อมเสร็จแล้ว"
        )
    assert len(line_api.accepted_retry_keys) == 2
    assert "ซ่อมเสร็จแล้ว" in line_api.pushes[-1].json["messages"][0]["text"]


def test_an_english_reporter_is_told_in_english(
    municipality,
    line_channel,
    line_api,
    categories,
    category,
    admin_user,
    django_capture_on_commit_callbacks,
):
    chat = LineChat(Client(), municipality.slug)
    report = report_through_line(chat, category, consent=True, english=True)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, actor=admin_user, to_status="accepted")
    text = line_api.pushes[-1].json["messages"][0]["text"]
    assert "Accepted" in text and report.tracking_code in text


def test_without_consent_nothing_is_pushed(
    municipality,
    line_channel,
    line_api,
    categories,
    category,
    admin_user,
    django_capture_on_commit_callbacks,
):
    chat = LineChat(Client(), municipality.slug)
    report = report_through_line(chat, category, consent=False)
    with django_capture_on_commit_callbacks(execute=True):
        report_transition(report=report, actor=admin_user, to_status="accepted")
    assert line_api.pushes == []
    assert not Delivery.objects.filter(channel="line").exists()


def a_delivery(municipality, **overrides):
    """What the outbox hands a sender (the registry's contract)."""
    values = {
        "municipality_id": municipality.pk,
        "channel": "line",
        "address": "U" + "3" * 32,
        "idempotency_key": str(uuid.uuid4()),
        "language": "th",
        "payload": {
            "subject": "ALPHA-2569-000001",
            "text": "รายงาน ALPHA-2569-000001 เปลี่ยนสถานะ",
            "url": "https://example.org/alpha/reports/ALPHA-2569-000001/",
            "event": {"type": "report.status_changed"},
        },
    }
    values.update(overrides)
    return SimpleNamespace(**values)


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (500, TemporaryFailure),
        (502, TemporaryFailure),
        (429, TemporaryFailure),
        (400, PermanentFailure),
        (403, PermanentFailure),
        (409, None),  # already accepted with this retry key: sent
    ],
)
def test_line_answers_map_to_the_outbox_outcomes(
    municipality, line_channel, line_api, status, outcome
):
    line_api.push_statuses.append(status)
    delivery = a_delivery(municipality)
    if outcome is None:
        send_delivery(delivery)
    else:
        with pytest.raises(outcome):
            send_delivery(delivery)
    assert line_api.pushes[-1].json["messages"][0]["text"].startswith("รายงาน ALPHA-2569-000001")


def test_an_unreachable_line_is_a_temporary_failure(municipality, line_channel, settings):
    settings.LINE_API_BASE_URL = "http://127.0.0.1:9"  # nothing listens there
    with pytest.raises(TemporaryFailure):
        send_delivery(a_delivery(municipality))


def test_deliveries_that_can_never_work_are_permanent_failures(
    municipality, other_municipality, line_channel, line_api, admin_user
):
    with pytest.raises(PermanentFailure):
        send_delivery(a_delivery(municipality, address="not-a-line-user"))
    with pytest.raises(PermanentFailure):
        send_delivery(a_delivery(other_municipality))  # no LINE channel there
    from thesaban.channels.line.services import line_channel_save

    line_channel_save(municipality=municipality, actor=admin_user, is_active=False)
    with pytest.raises(PermanentFailure):
        send_delivery(a_delivery(municipality))
    assert line_api.pushes == []


def test_retry_keys_are_uuids_stable_per_key():
    key = str(uuid.uuid4())
    assert retry_key(key) == key
    derived = retry_key("report-event:42:line:U123")
    assert uuid.UUID(derived).version == 5
    assert retry_key("report-event:42:line:U123") == derived != retry_key("report-event:43")
