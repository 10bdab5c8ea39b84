"""The LINE flow driven end to end by signed line-bot-sdk payloads.

Every payload is built with line-bot-sdk's v3 webhook models, signed with the channel secret
and POSTed to /<slug>/line/webhook. The app answers through its REAL line-bot-sdk client,
pointed at a local fake of LINE's servers (tests/channels/line_fixtures.py), which also serves
the photo's bytes.
"""

# The pytest fixtures are imported from tests/channels/line_fixtures.py and used as arguments.
# ruff: noqa: F811

import json
from urllib.parse import parse_qsl

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from tests import factories
from tests.channels.line_fixtures import (  # noqa: F401  (pytest fixtures)
    CHANNEL_SECRET,
    OTHER_SECRET,
    LineChat,
    categories,
    line_api,
    line_channel,
    sign,
)
from tests.conftest import image_bytes
from thesaban.accounts.models import ConsentRecord
from thesaban.channels.line.models import LineConversation, LineDraftPhoto, LineWebhookEvent
from thesaban.core.models import AuditEntry
from thesaban.notifications.models import Subscription
from thesaban.reports.models import Report, ReportPhoto

pytestmark = pytest.mark.django_db

LAT, LNG = 13.005, 100.005


@pytest.fixture
def chat(municipality, line_channel, line_api, categories):
    return LineChat(Client(), municipality.slug)


def postback_data(action: dict) -> dict:
    return dict(parse_qsl(action["data"]))


def th(msgid: str, **params) -> str:
    """A message as the bot says it in Thai (the Thai catalogue, once merged; the English
    msgid before)."""
    with translation.override("th"):
        text = gettext(msgid)
    return text % params if params else text


def button(actions: list[dict], **data) -> dict:
    """The postback button whose data has these values."""
    for action in actions:
        if action.get("type") == "postback" and data.items() <= postback_data(action).items():
            return action
    raise AssertionError(f"no button {data} in {actions}")


def find_button(actions: list[dict], label_part: str) -> dict:
    for action in actions:
        if label_part in action.get("label", ""):
            return action
    raise AssertionError(f"no button with {label_part!r} in {[a.get('label') for a in actions]}")


def everything(municipality) -> dict:
    """What a webhook call could change for a municipality."""
    return {
        "events": LineWebhookEvent.objects.filter(municipality=municipality).count(),
        "conversations": list(
            LineConversation.objects.filter(municipality=municipality).values_list(
                "line_user_id", "step", "description", "lat", "updated_at"
            )
        ),
        "drafts": LineDraftPhoto.objects.filter(municipality=municipality).count(),
        "reports": Report.objects.filter(municipality=municipality).count(),
        "audit": AuditEntry.objects.filter(municipality=municipality).count(),
    }


def test_the_whole_flow_in_thai(chat, line_api, municipality, category):
    # Adding the account as a friend: a welcome with a "report a problem" button.
    chat.send(chat.follow_event())
    welcome = line_api.last_reply_text()
    assert welcome == th(
        "Welcome to %(municipality)s! To report a problem (a broken road, a dark street light, "
        "garbage…) tap “Report a problem” or type anything. To check a report, type its "
        "tracking code.",
        municipality=municipality.name_th,
    )
    start = line_api.last_quick_replies()[0]
    assert start["type"] == "message" and start["text"] == th("report a problem")

    # Any text starts (the button says "แจ้งปัญหา" once the Thai catalogue is compiled): the
    # categories come as quick-reply postback buttons.
    chat.say("แจ้งปัญหา")
    buttons = line_api.last_quick_replies()
    assert len(buttons) == 2 and all(b["type"] == "postback" for b in buttons)
    road = button(buttons, a="cat", id=str(category.pk))
    assert road["label"] == "🛣️ ถนน"
    assert len(road["label"]) <= 20

    chat.tap(road["data"])
    assert "ถนน" in line_api.last_reply_text()

    # Too short a description is refused, in Thai, and the step stays.
    chat.say("หลุม")
    assert line_api.last_reply_text() == th(
        "The description is too short: please write at least %(min)d characters.", min=5
    )
    chat.say("ถนนหน้าตลาดเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย")

    # The location: a typed text gets the explanation and the "location" quick reply.
    assert line_api.last_quick_replies()[0]["type"] == "location"
    chat.say("หน้าตลาดสดเทศบาล")
    assert line_api.last_quick_replies()[0]["type"] == "location"
    chat.share_location(LAT, LNG, "ถนนเทศบาล 1 ตำบลหน้าเมือง")

    # A photo: its bytes are fetched from the data API with the channel's token.
    photo_buttons = [b["type"] for b in line_api.last_quick_replies()]
    assert photo_buttons[:2] == ["camera", "cameraRoll"]
    line_api.contents["325708"] = image_bytes(size=(640, 480))
    chat.send_image("325708")
    fetch = line_api.of("/v2/bot/message/325708/content")[0]
    assert fetch.headers["Authorization"].endswith("test-access-token-A/xyz=")
    assert LineDraftPhoto.objects.filter(municipality=municipality).count() == 1

    assert line_api.last_reply_text() == th(
        "Photo %(count)d of %(max)d received. Send another, or tap “Done”.", count=1, max=3
    )
    chat.tap(button(line_api.last_quick_replies(), a="done")["data"])

    # PDPA: consent to be contacted through LINE, asked before anything is created.
    assert "LINE" in line_api.last_reply_text()
    assert Report.objects.count() == 0
    chat.tap(button(line_api.last_quick_replies(), a="consent", v="yes")["data"])

    # The summary, then "send".
    summary = line_api.last_reply_text()
    assert "ถนนหน้าตลาดเป็นหลุมลึก" in summary and "ถนนเทศบาล 1" in summary
    send = button(line_api.last_quick_replies(), a="confirm", v="yes")
    confirm = chat.postback_event(send["data"])
    chat.send(confirm)

    report = Report.objects.get(municipality=municipality)
    assert report.channel == Report.Channel.LINE
    assert report.category == category
    assert report.description == "ถนนหน้าตลาดเป็นหลุมลึก รถจักรยานยนต์ล้มบ่อย"
    assert (report.lat, report.lng) == (LAT, LNG)
    assert report.address == "ถนนเทศบาล 1 ตำบลหน้าเมือง"
    assert report.idempotency_key == f"line:{confirm.webhook_event_id}"
    assert ReportPhoto.objects.filter(report=report).count() == 1
    assert chat.user_id not in str(report.external_ref) and not report.reporter_email

    texts = line_api.last_reply_texts()
    assert report.tracking_code in texts[0]
    assert f"/{municipality.slug}/reports/{report.tracking_code}/" in texts[0]
    assert report.follow_token in texts[1]  # the private link, sent only to the reporter

    consent = ConsentRecord.objects.get(report=report)
    assert consent.purpose == ConsentRecord.Purpose.REPORT_CONTACT
    assert consent.method == ConsentRecord.Method.ONLINE
    subscription = Subscription.objects.get(report=report)
    assert (subscription.channel, subscription.address) == ("line", chat.user_id)
    assert subscription.language == "th"
    assert subscription.status == Subscription.Status.ACTIVE

    # The conversation is back at rest, its draft gone, its language remembered.
    conversation = LineConversation.objects.get(line_user_id=chat.user_id)
    assert conversation.step == LineConversation.Step.IDLE
    assert not LineDraftPhoto.objects.exists()
    assert AuditEntry.objects.filter(action="line.report_create", target_id=str(report.pk)).exists()


def test_typing_a_tracking_code_returns_the_public_status_only(
    chat, line_api, municipality, category
):
    report = factories.ReportFactory(
        municipality=municipality,
        category=category,
        tracking_code="ALPHA-2569-000042",
        status="in_progress",
        reporter_name="สมชาย ใจดี",
        reporter_email="somchai.private@example.org",
        reporter_phone="0812345678",
    )
    chat.say("alpha-2569-000042")  # any case
    text = line_api.last_reply_text()
    assert report.tracking_code in text
    assert th("Status: %(value)s", value=th("In progress")) in text
    for private in ("สมชาย", "somchai", "0812345678", report.description, report.follow_token):
        assert private not in text
    # A code of nobody, and B's codes are not A's.
    chat.say("ALPHA-2569-999999")
    assert line_api.last_reply_text() == th(
        "No report with the tracking code %(code)s was found at %(municipality)s.",
        code="ALPHA-2569-999999",
        municipality=municipality.name_th,
    )


def test_the_tracking_code_works_in_the_middle_of_a_report(chat, line_api, municipality, category):
    factories.ReportFactory(
        municipality=municipality, category=category, tracking_code="ALPHA-2569-000007"
    )
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    chat.say("ALPHA-2569-000007")
    assert "ALPHA-2569-000007" in line_api.last_reply_text()
    # The draft is untouched: the next text is still the description.
    assert LineConversation.objects.get().step == LineConversation.Step.DESCRIPTION


def test_the_flow_in_english(chat, line_api, municipality, category):
    chat.say("Hello, I want to report a problem")
    assert "What kind of problem" in line_api.last_reply_text()
    chat.tap(find_button(line_api.last_quick_replies(), "Road")["data"])
    chat.say("Deep pothole in front of the market")
    assert "Send location" in [b.get("label") for b in line_api.last_quick_replies()]
    chat.share_location(LAT, LNG)
    chat.tap(button(line_api.last_quick_replies(), a="skip")["data"])
    assert "contact you" in line_api.last_reply_text()
    chat.say("no")  # typed answers work as well as the buttons
    assert "Please check your report" in line_api.last_reply_text()
    chat.say("yes")

    report = Report.objects.get()
    assert report.photos.count() == 0
    text = line_api.last_reply_text()
    assert f"Tracking code: {report.tracking_code}" in text
    assert "?lang=en" in text
    # No consent, no contact: neither a consent record nor a subscription.
    assert not ConsentRecord.objects.filter(report=report).exists()
    assert not Subscription.objects.filter(report=report).exists()
    # The language is remembered for the next conversation, and a Thai message switches back.
    chat.say(report.tracking_code.lower())
    assert "Status:" in line_api.last_reply_text()
    chat.say("สวัสดี")
    assert LineConversation.objects.get().language == "th"
    assert th("Type “cancel” at any time to stop.") in line_api.last_reply_text()


def test_english_consent_subscribes_in_english(chat, line_api, category):
    chat.say("report")
    chat.tap(f"a=cat&id={category.pk}")
    chat.say("The street light is broken")
    chat.share_location(LAT, LNG)
    chat.say("skip")
    chat.tap("a=consent&v=yes")
    chat.tap("a=confirm&v=yes")
    subscription = Subscription.objects.get()
    assert subscription.language == "en"
    assert "We will also tell you here" in line_api.last_reply_text()


def test_a_wrong_signature_is_refused_and_changes_nothing(chat, line_api, municipality):
    before = everything(municipality)
    body = chat.body_of(chat.text_event("แจ้งปัญหา"))
    forged = sign(body, OTHER_SECRET)
    assert chat.post(body, signature=forged).status_code == 400
    assert chat.post(body, signature="not-base64!!").status_code == 400
    # The right signature of another body.
    assert chat.post(body, signature=sign(body + b" ", CHANNEL_SECRET)).status_code == 400
    assert everything(municipality) == before
    assert line_api.requests == []


def test_a_missing_signature_is_refused(chat, line_api, municipality):
    before = everything(municipality)
    response = chat.post(chat.body_of(chat.text_event("แจ้งปัญหา")), signature=None)
    assert response.status_code == 400
    assert chat.post(chat.last_body, signature="").status_code == 400
    assert everything(municipality) == before
    assert line_api.requests == []


def test_a_signature_of_municipality_a_is_refused_by_municipality_b(
    chat, line_api, municipality, other_municipality, admin_user
):
    from thesaban.channels.line.services import line_channel_save

    line_channel_save(
        municipality=other_municipality,
        actor=admin_user,
        channel_secret=OTHER_SECRET,
        access_token="token-of-b",
    )
    factories.CategoryFactory(municipality=other_municipality, code="road")
    before_a, before_b = everything(municipality), everything(other_municipality)
    # A body signed with A's secret, posted to B's webhook.
    to_b = LineChat(Client(), other_municipality.slug, secret=CHANNEL_SECRET, user_id=chat.user_id)
    assert to_b.post(to_b.body_of(to_b.text_event("แจ้งปัญหา"))).status_code == 400
    assert everything(municipality) == before_a
    assert everything(other_municipality) == before_b
    # Signed with B's own secret it is accepted by B, and only B's data changes.
    to_b.secret = OTHER_SECRET
    assert to_b.post(to_b.body_of(to_b.text_event("แจ้งปัญหา"))).status_code == 200
    assert everything(municipality) == before_a
    assert LineConversation.objects.filter(municipality=other_municipality).count() == 1


def test_unexpected_event_types_are_acknowledged_and_ignored(chat, line_api, municipality):
    before = everything(municipality)
    beacon = chat.beacon_event()
    response = chat.send(beacon)
    assert response.json() == {"events": 1, "handled": 0, "duplicates": 0, "ignored": 1}
    # A type no SDK knows yet, as LINE may add one any day.
    unknown = {
        "type": "somethingNew",
        "mode": "active",
        "timestamp": 1700000000000,
        "source": {"type": "user", "userId": chat.user_id},
        "webhookEventId": "01HXXXXXXXXXXXXXXXXXXXXXXX",
        "deliveryContext": {"isRedelivery": False},
        "somethingNew": {"x": 1},
    }
    body = json.dumps({"destination": "U" + "b" * 32, "events": [unknown]}).encode()
    response = chat.post(body)
    assert response.status_code == 200
    assert response.json()["ignored"] == 1
    # Messages in a group, and a known type in an unexpected shape, are ignored too.
    chat.send(chat.group_text_event("แจ้งปัญหา"))
    broken = {"type": "message", "webhookEventId": "01HBROKEN", "message": {"type": "text"}}
    body = json.dumps({"destination": "U" + "b" * 32, "events": [broken]}).encode()
    assert chat.post(body).status_code == 200
    assert everything(municipality) == before
    assert line_api.requests == []


def test_lines_verify_request_with_no_events_is_answered(chat, line_api, municipality):
    before = everything(municipality)
    response = chat.send()  # {"destination": ..., "events": []}
    assert response.json()["events"] == 0
    assert everything(municipality) == before


def test_a_redelivered_event_changes_nothing(chat, line_api, municipality, category):
    chat.say("แจ้งปัญหา")
    first = chat.postback_event(f"a=cat&id={category.pk}")
    chat.send(first)
    state = everything(municipality)
    replies = len(line_api.replies)
    # The same event again, byte for byte, then marked as a redelivery.
    response = chat.post(chat.last_body)
    assert response.json()["duplicates"] == 1
    redelivered = first.model_copy() if hasattr(first, "model_copy") else first.copy()
    redelivered.delivery_context.is_redelivery = True
    assert chat.send(redelivered).json()["duplicates"] == 1
    assert everything(municipality) == state
    assert len(line_api.replies) == replies and line_api.pushes == []


def test_a_redelivered_confirmation_makes_one_report(chat, line_api, municipality, category):
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    chat.say("ไฟฟ้าดับทั้งซอย อันตรายมาก")
    chat.share_location(LAT, LNG)
    chat.tap("a=skip")
    chat.tap("a=consent&v=no")
    confirm = chat.postback_event("a=confirm&v=yes")
    chat.send(confirm)
    chat.post(chat.last_body)
    chat.post(chat.last_body)
    assert Report.objects.filter(municipality=municipality).count() == 1
    assert LineWebhookEvent.objects.filter(webhook_event_id=confirm.webhook_event_id).count() == 1


def test_a_first_delivery_marked_as_redelivery_is_answered_by_push(chat, line_api):
    # LINE redelivers an event our server never handled (it was down): the reply token may
    # have expired, so the answer is pushed, with a retry key, exactly once.
    event = chat.text_event("แจ้งปัญหา", redelivery=True)
    chat.send(event)
    assert line_api.replies == []
    (push,) = line_api.pushes
    assert push.json["to"] == chat.user_id
    assert len(push.headers["X-Line-Retry-Key"]) == 36


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"",
        b"[]",
        b'{"events": {}}',
        b'{"destination": "x"}',
        b"null",
        '{"events": ["\u0e01"]'.encode(),
        b"\xff\xfe\x00garbage",
    ],
    ids=["broken", "empty", "list", "events-object", "no-events", "null", "truncated", "not-utf8"],
)
def test_malformed_bodies_are_400_never_500(chat, line_api, municipality, body):
    before = everything(municipality)
    response = chat.post(body)  # correctly signed
    assert response.status_code == 400
    assert everything(municipality) == before


def test_only_post_is_allowed(chat):
    client = Client()
    assert client.get(chat.url).status_code == 405
    assert client.put(chat.url, b"{}").status_code == 405
    assert client.delete(chat.url).status_code == 405


def test_a_municipality_without_a_line_channel_has_no_webhook(other_municipality, line_api):
    chat = LineChat(Client(), other_municipality.slug)
    response = chat.post(chat.body_of(chat.text_event("แจ้งปัญหา")))
    assert response.status_code == 404


def test_a_switched_off_channel_has_no_webhook(chat, line_channel, admin_user, municipality):
    from thesaban.channels.line.services import line_channel_save

    line_channel_save(municipality=municipality, actor=admin_user, is_active=False)
    assert chat.post(chat.body_of(chat.text_event("แจ้งปัญหา"))).status_code == 404


@pytest.mark.parametrize("word", ["ยกเลิก", "cancel", "CANCEL"])
def test_cancel_resets_the_conversation(chat, line_api, category, word):
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    chat.say("ถนนเป็นหลุมลึกมาก")
    chat.share_location(LAT, LNG)
    line_api.contents["9"] = image_bytes()
    chat.send_image("9")
    assert LineDraftPhoto.objects.count() == 1
    chat.say(word)
    conversation = LineConversation.objects.get()
    assert conversation.step == LineConversation.Step.IDLE
    assert conversation.category is None and conversation.description == ""
    assert LineDraftPhoto.objects.count() == 0
    assert Report.objects.count() == 0
    assert line_api.last_reply_text() in (
        th("Cancelled: nothing was sent. Type anything when you want to report a problem."),
        "Cancelled: nothing was sent. Type anything when you want to report a problem.",
    )


def test_cancel_button_and_confirm_no(chat, line_api, category):
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    assert button(line_api.last_quick_replies(), a="cancel")
    chat.tap("a=cancel")
    assert LineConversation.objects.get().step == LineConversation.Step.IDLE
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    chat.say("ถนนเป็นหลุมลึกมาก")
    chat.share_location(LAT, LNG)
    chat.tap("a=skip")
    chat.tap("a=consent&v=yes")
    chat.say("ไม่")
    assert Report.objects.count() == 0
    assert LineConversation.objects.get().step == LineConversation.Step.IDLE


def test_many_categories_are_paged_with_a_more_button(chat, line_api, municipality, category):
    for n in range(20):
        factories.CategoryFactory(
            municipality=municipality, code=f"c{n:02d}", name_th=f"หมวด {n:02d}", order=200 + n
        )
    chat.say("แจ้งปัญหา")
    seen = set()
    # 22 categories: 12 and "More" (LINE allows 13 buttons), then the other 10 and "More".
    for expected in (13, 11):
        buttons = line_api.last_quick_replies()
        assert len(buttons) == expected
        *cats, more = buttons
        assert postback_data(more)["a"] == "page"
        seen |= {postback_data(b)["id"] for b in cats}
        chat.tap(more["data"])
    assert len(seen) == 22  # every active category was offered
    assert postback_data(line_api.last_quick_replies()[0])["id"] == str(category.pk)  # wrapped


def test_typing_the_category_name_works(chat, line_api, categories):
    chat.say("แจ้งปัญหา")
    chat.say("ไฟฟ้าส่องสว่าง")
    conversation = LineConversation.objects.get()
    assert conversation.category == categories[1]
    assert conversation.step == LineConversation.Step.DESCRIPTION


def test_unknown_input_at_each_step_is_explained(chat, line_api, category):
    chat.say("แจ้งปัญหา")
    chat.send(chat.sticker_event())
    assert line_api.last_reply_texts()[0] == th(
        "Please choose one of the categories with the buttons below."
    )
    chat.tap(f"a=cat&id={category.pk}")
    chat.send(chat.location_event(LAT, LNG))
    assert LineConversation.objects.get().step == LineConversation.Step.DESCRIPTION
    chat.say("x" * 2001)
    assert "2000" in line_api.last_reply_text()
    chat.say("ถนนเป็นหลุมลึกมาก")
    chat.send(chat.sticker_event())
    assert LineConversation.objects.get().step == LineConversation.Step.LOCATION
    chat.share_location(LAT, LNG)
    chat.say("อะไรนะ")
    assert LineConversation.objects.get().step == LineConversation.Step.PHOTO
    chat.say("ข้าม")
    chat.say("อาจจะ")
    assert LineConversation.objects.get().step == LineConversation.Step.CONSENT
    chat.tap("a=consent&v=yes")
    chat.send(chat.sticker_event())
    assert LineConversation.objects.get().step == LineConversation.Step.CONFIRM
    assert button(line_api.last_quick_replies(), a="confirm", v="yes")


def test_photos_that_cannot_be_used_are_explained(chat, line_api, category):
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    chat.say("ถนนเป็นหลุมลึกมาก")
    chat.share_location(LAT, LNG)
    line_api.contents["bad"] = b"this is not an image"
    chat.send_image("bad")
    refused = th(
        "This photo cannot be used: %(reason)s Send another one, or continue without it.",
        reason=th("This file is not an image we can read."),
    )
    assert line_api.last_reply_text() == refused
    chat.send_image("missing-on-line")  # LINE answers 404
    chat.send(chat.image_event("ext", provider="external"))  # never fetched from its URL
    assert LineDraftPhoto.objects.count() == 0
    assert not [r for r in line_api.requests if "ext" in r.path]
    # Three good photos: the third moves on to the consent question by itself.
    for n in range(3):
        line_api.contents[f"p{n}"] = image_bytes(color=(n * 80, 10, 10))
        chat.send_image(f"p{n}")
    assert LineConversation.objects.get().step == LineConversation.Step.CONSENT
    chat.tap("a=consent&v=no")
    chat.tap("a=confirm&v=yes")
    assert Report.objects.get().photos.count() == 3


def test_photos_from_a_replaced_messenger(municipality, line_channel, categories, category):
    """The interface can be replaced by one that returns bytes (no HTTP at all)."""
    from thesaban.channels.line.messenger import LineMessenger, set_messenger_factory

    class BytesMessenger(LineMessenger):
        def __init__(self):
            self.replies = []

        def reply(self, reply_token, messages):
            self.replies.append([m.text for m in messages])

        def push(self, user_id, messages, retry_key):
            raise AssertionError("no push expected")

        def get_content(self, message_id):
            return image_bytes(size=(300, 200))

    messenger = BytesMessenger()
    set_messenger_factory(lambda channel: messenger)
    try:
        chat = LineChat(Client(), municipality.slug)
        chat.say("แจ้งปัญหา")
        chat.tap(f"a=cat&id={category.pk}")
        chat.say("ถนนเป็นหลุมลึกมาก")
        chat.share_location(LAT, LNG)
        chat.send_image("42")
        chat.tap("a=done")
        chat.tap("a=consent&v=no")
        chat.tap("a=confirm&v=yes")
    finally:
        set_messenger_factory(None)
    report = Report.objects.get()
    assert report.photos.get().width == 300
    assert report.tracking_code in messenger.replies[-1][0]


def test_an_abandoned_draft_expires(chat, line_api, category, settings):
    from django.utils import timezone

    settings.LINE_CONVERSATION_TIMEOUT_MINUTES = 30
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    LineConversation.objects.update(updated_at=timezone.now() - timezone.timedelta(minutes=31))
    chat.say("ถนนเป็นหลุมลึกมาก")
    texts = line_api.last_reply_texts()
    assert "30" in texts[0]  # "discarded after 30 minutes"
    conversation = LineConversation.objects.get()
    assert conversation.step == LineConversation.Step.CATEGORY and conversation.description == ""


def test_unfollow_forgets_the_conversation(chat, line_api, category):
    chat.say("แจ้งปัญหา")
    chat.tap(f"a=cat&id={category.pk}")
    chat.send(chat.unfollow_event())
    assert not LineConversation.objects.exists()


def test_a_reply_that_line_refuses_does_not_fail_the_webhook(chat, line_api):
    line_api.reply_statuses.append(400)  # e.g. an expired reply token
    chat.say("แจ้งปัญหา")
    assert LineConversation.objects.get().step == LineConversation.Step.CATEGORY


def test_several_events_in_one_request(chat, line_api, category):
    chat.send(
        chat.text_event("แจ้งปัญหา"),
        chat.postback_event(f"a=cat&id={category.pk}"),
        chat.text_event("ถนนเป็นหลุมลึกมาก"),
    )
    assert LineConversation.objects.get().step == LineConversation.Step.LOCATION
    assert len(line_api.replies) == 3
