"""Writes of the LINE channel: its settings, the webhook's events, the conversation that turns a
chat into a report, and pushing notifications back.

The webhook path: `webhook_receive` checks X-Line-Signature with line-bot-sdk's
`SignatureValidator`, parses every event with the SDK's v3 webhook models, and hands each
supported event to `event_handle`, one transaction per event. That transaction first records the
event's `webhookEventId` (unique per municipality), so a redelivered event changes nothing, then
moves the sender's conversation on. Replies go out after the transaction.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from linebot.v3 import SignatureValidator
from linebot.v3.webhooks import (
    Event,
    FollowEvent,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    TextMessageContent,
    UnfollowEvent,
    UserSource,
)

from thesaban.accounts.models import ConsentRecord, User
from thesaban.channels.line import replies, selectors
from thesaban.channels.line.messenger import LineApiError, LineMessenger, messenger_for, retry_key
from thesaban.channels.line.models import (
    LineChannel,
    LineConversation,
    LineDraftPhoto,
    LineWebhookEvent,
)
from thesaban.core.audit import audit_record
from thesaban.municipalities.models import Municipality
from thesaban.reports import photos as photo_rules
from thesaban.reports.models import Report
from thesaban.reports.services import PRIVACY_POLICY_VERSION, report_create

logger = logging.getLogger(__name__)

Step = LineConversation.Step

DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 2000
MAX_PHOTOS = photo_rules.MAX_PHOTOS
MAX_BODY_BYTES = 1024 * 1024  # LINE's payloads are a few kilobytes

TRACKING_CODE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z0-9]{2,10}-\d{4}-\d{6})(?![A-Za-z0-9])")
THAI = re.compile(r"[\u0e00-\u0e7f]")
LATIN = re.compile(r"[A-Za-z]")

START_WORDS = {
    "report",
    "report a problem",
    "start",
    "new report",
    "แจ้งปัญหา",
    "แจ้งเรื่อง",
    "แจ้ง",
    "เริ่ม",
}
CANCEL_WORDS = {"cancel", "ยกเลิก", "เลิก"}
YES_WORDS = {"yes", "y", "ok", "okay", "send", "ใช่", "ตกลง", "ยินยอม", "ส่ง", "ยืนยัน"}
NO_WORDS = {"no", "n", "ไม่", "ไม่ใช่", "ไม่ยินยอม", "ไม่ส่ง"}
SKIP_WORDS = {"skip", "no photo", "done", "ข้าม", "ไม่มีรูป", "เสร็จ", "เสร็จแล้ว"}


class InvalidSignature(Exception):
    """X-Line-Signature is missing or does not match the body."""


class MalformedPayload(Exception):
    """The signed body is not a LINE webhook payload."""


def timeout_minutes() -> int:
    return int(getattr(settings, "LINE_CONVERSATION_TIMEOUT_MINUTES", 60))


# -- settings ----------------------------------------------------------------------------------


@transaction.atomic
def line_channel_save(
    *,
    municipality: Municipality,
    actor: User,
    channel_secret: str = "",
    access_token: str = "",
    is_active: bool = True,
) -> LineChannel:
    """Create or update the municipality's LINE channel. A blank secret or token keeps the one
    saved before; neither value is ever returned, logged or audited (only that it changed)."""
    channel_secret = channel_secret.strip()
    access_token = access_token.strip()
    channel = LineChannel.objects.select_for_update().filter(municipality=municipality).first()
    if channel is None:
        if not channel_secret or not access_token:
            raise ValidationError(_("Enter both the channel secret and the channel access token."))
        channel = LineChannel(municipality=municipality)
    if channel_secret and not re.fullmatch(r"[0-9a-fA-F]{16,100}", channel_secret):
        raise ValidationError(
            {"channel_secret": _("A channel secret is 32 hexadecimal characters (0–9, a–f).")}
        )
    if access_token and (
        len(access_token) > 500 or not re.fullmatch(r"[\x21-\x7e]+", access_token)
    ):
        raise ValidationError(
            {"access_token": _("This does not look like a channel access token.")}
        )
    changed = {
        "secret_changed": bool(channel_secret) and channel_secret != channel.channel_secret,
        "token_changed": bool(access_token) and access_token != channel.access_token,
        "active_changed": channel.pk is not None and channel.is_active != is_active,
    }
    if channel_secret:
        channel.channel_secret = channel_secret
        channel.secret_hint = channel_secret[-4:]
    if access_token:
        channel.access_token = access_token
        channel.token_hint = access_token[-4:]
    created = channel.pk is None
    channel.is_active = is_active
    channel.updated_by = actor
    channel.save()
    audit_record(
        action="line.channel_create" if created else "line.channel_update",
        actor=actor,
        municipality=municipality,
        target=channel,
        data={**changed, "is_active": is_active},
    )
    return channel


# -- the webhook -------------------------------------------------------------------------------


@dataclass
class Incoming:
    """One webhook event, reduced to what the conversation needs."""

    webhook_event_id: str
    event_type: str
    is_redelivery: bool = False
    user_id: str = ""
    reply_token: str = ""
    kind: str = "other"  # text, postback, location, image, message, follow, unfollow, other
    text: str = ""
    data: dict[str, str] = field(default_factory=dict)
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    message_id: str = ""
    content_provider: str = "line"


@dataclass
class WebhookResult:
    events: int = 0
    handled: int = 0
    duplicates: int = 0
    ignored: int = 0


def signature_valid(*, channel_secret: str, body: str, signature: str) -> bool:
    return SignatureValidator(channel_secret).validate(body, signature)


def parse_payload(body: str) -> list[Any]:
    """The events of a signed body as line-bot-sdk models; None for an event the SDK does not
    know (a new event type, or a known type with an unexpected shape)."""
    try:
        payload = json.loads(body)
    except ValueError:
        raise MalformedPayload("not JSON") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
        raise MalformedPayload("no events list")
    events: list[Any] = []
    for raw in payload["events"]:
        try:
            events.append(Event.from_dict(raw) if isinstance(raw, dict) else None)
        except Exception:  # the SDK's models raise ValueError, KeyError, TypeError...
            events.append(None)
    return events


def incoming_from(event: Any) -> Incoming | None:
    """An SDK event as `Incoming`, or None when the bot does not act on it."""
    if not isinstance(event, MessageEvent | PostbackEvent | FollowEvent | UnfollowEvent):
        return None
    source = event.source
    if not isinstance(source, UserSource) or not source.user_id:
        return None  # groups and rooms: reporting is a one-to-one conversation
    incoming = Incoming(
        webhook_event_id=event.webhook_event_id,
        event_type=event.type,
        is_redelivery=bool(getattr(event.delivery_context, "is_redelivery", False)),
        user_id=source.user_id,
        reply_token=getattr(event, "reply_token", None) or "",
    )
    if isinstance(event, FollowEvent):
        incoming.kind = "follow"
    elif isinstance(event, UnfollowEvent):
        incoming.kind = "unfollow"
    elif isinstance(event, PostbackEvent):
        incoming.kind = "postback"
        incoming.data = dict(parse_qsl(event.postback.data or "")[:10])
    else:
        message = event.message
        if isinstance(message, TextMessageContent):
            incoming.kind = "text"
            incoming.text = (message.text or "")[:5000]
        elif isinstance(message, LocationMessageContent):
            incoming.kind = "location"
            incoming.lat, incoming.lng = message.latitude, message.longitude
            incoming.address = (message.address or message.title or "")[:300]
        elif isinstance(message, ImageMessageContent):
            incoming.kind = "image"
            incoming.message_id = message.id
            provider = message.content_provider
            incoming.content_provider = getattr(provider, "type", None) or "line"
        else:
            incoming.kind = "message"  # sticker, video, audio, file...
    return incoming


def webhook_receive(*, channel: LineChannel, body: bytes, signature: str | None) -> WebhookResult:
    """Verify and handle one webhook request. Raises InvalidSignature or MalformedPayload (both
    mean 400 and nothing changed)."""
    if not signature:
        raise InvalidSignature("missing")
    if len(body) > MAX_BODY_BYTES:
        raise MalformedPayload("too large")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidSignature("undecodable body") from None
    if not signature_valid(channel_secret=channel.channel_secret, body=text, signature=signature):
        raise InvalidSignature("mismatch")
    events = parse_payload(text)
    result = WebhookResult(events=len(events))
    messenger = messenger_for(channel)
    for event in events:
        incoming = incoming_from(event) if event is not None else None
        if incoming is None:
            result.ignored += 1
            continue
        outgoing = event_handle(channel=channel, incoming=incoming, messenger=messenger)
        if outgoing is None:
            result.duplicates += 1
            continue
        result.handled += 1
        _send(messenger, incoming, outgoing)
    return result


def _send(messenger: LineMessenger, incoming: Incoming, messages: list) -> None:
    """Answer an event. A redelivered event's reply token may have expired: push instead, with a
    retry key, so answering twice is impossible."""
    if not messages:
        return
    try:
        if incoming.is_redelivery or not incoming.reply_token:
            messenger.push(
                incoming.user_id, messages, retry_key(f"reply:{incoming.webhook_event_id}")
            )
        else:
            messenger.reply(incoming.reply_token, messages)
    except LineApiError as error:
        logger.warning("LINE reply to event %s failed: %s", incoming.webhook_event_id, error)


def event_handle(
    *, channel: LineChannel, incoming: Incoming, messenger: LineMessenger
) -> list | None:
    """Handle one event once: returns the messages to answer with, or None when this event was
    handled before (a redelivery)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                LineWebhookEvent.objects.create(
                    municipality_id=channel.municipality_id,
                    webhook_event_id=incoming.webhook_event_id[:64],
                    event_type=incoming.event_type[:40],
                    is_redelivery=incoming.is_redelivery,
                )
        except IntegrityError:
            return None
        if incoming.kind == "unfollow":
            # The resident blocked the account: forget the conversation and its draft.
            LineConversation.objects.filter(
                municipality_id=channel.municipality_id, line_user_id=incoming.user_id
            ).delete()
            return []
        return conversation_advance(channel=channel, incoming=incoming, messenger=messenger)


# -- the conversation --------------------------------------------------------------------------


def detect_language(text: str) -> str | None:
    """Thai when the text has Thai letters; English when it has Latin words and no Thai;
    None (keep the remembered language) for codes, numbers and emoji."""
    text = TRACKING_CODE.sub(" ", text)
    if THAI.search(text):
        return "th"
    if len(LATIN.findall(text)) >= 3:
        return "en"
    return None


def find_tracking_code(text: str, *, whole_only: bool) -> str | None:
    text = text.strip()
    if whole_only:
        match = TRACKING_CODE.fullmatch(text.strip(" .!?"))
    else:
        match = TRACKING_CODE.search(text)
    return match.group(1).upper() if match else None


def _word(text: str) -> str:
    return " ".join(text.strip().strip(".!?").lower().split())


def _reset(conversation: LineConversation) -> None:
    LineDraftPhoto.objects.filter(conversation=conversation).delete()
    conversation.step = Step.IDLE
    conversation.category = None
    conversation.category_page = 0
    conversation.description = ""
    conversation.lat = conversation.lng = None
    conversation.address = ""
    conversation.contact_consent = None


def _conversation_for(channel: LineChannel, user_id: str, now: datetime) -> LineConversation:
    conversation, _created = LineConversation.objects.get_or_create(
        municipality_id=channel.municipality_id,
        line_user_id=user_id,
        defaults={"updated_at": now},
    )
    # Two events of one person may arrive at once: one at a time moves the conversation on.
    return (
        LineConversation.objects.select_for_update()
        .select_related("municipality")  # not the nullable category: no FOR UPDATE on outer joins
        .get(pk=conversation.pk)
    )


def conversation_advance(
    *, channel: LineChannel, incoming: Incoming, messenger: LineMessenger
) -> list:
    now = timezone.now()
    conversation = _conversation_for(channel, incoming.user_id, now)
    if incoming.kind == "text":
        conversation.language = detect_language(incoming.text) or conversation.language
    with translation.override(conversation.language):
        messages = _advance(conversation, incoming, messenger, now)
    conversation.updated_at = now
    conversation.save()
    return messages


def _advance(
    conversation: LineConversation, incoming: Incoming, messenger: LineMessenger, now: datetime
) -> list:
    municipality = conversation.municipality
    prefix: list = []
    if conversation.step != Step.IDLE and conversation.updated_at < now - timedelta(
        minutes=timeout_minutes()
    ):
        _reset(conversation)
        prefix.append(replies.expired(timeout_minutes()))
    if incoming.kind == "follow":
        return replies.welcome(municipality)
    action = incoming.data.get("a", "") if incoming.kind == "postback" else ""
    word = _word(incoming.text) if incoming.kind == "text" else ""

    if action == "cancel" or word in CANCEL_WORDS:
        _reset(conversation)
        return replies.cancelled()
    if incoming.kind == "text":
        code = find_tracking_code(incoming.text, whole_only=conversation.step == Step.DESCRIPTION)
        if code:
            return prefix + status_reply(municipality=municipality, code=code)
    if action == "start" or word in START_WORDS or conversation.step == Step.IDLE:
        _reset(conversation)
        return prefix + _start(conversation)
    handler = {
        Step.CATEGORY: _on_category,
        Step.DESCRIPTION: _on_description,
        Step.LOCATION: _on_location,
        Step.PHOTO: _on_photo,
        Step.CONSENT: _on_consent,
        Step.CONFIRM: _on_confirm,
    }[Step(conversation.step)]
    return prefix + handler(conversation, incoming, action, word, messenger)


def status_reply(*, municipality: Municipality, code: str) -> list:
    report = selectors.report_for_status(municipality=municipality, code=code)
    if report is None:
        return replies.report_not_found(municipality, code)
    return replies.report_status(report)


def _start(conversation: LineConversation) -> list:
    categories = selectors.line_categories(municipality=conversation.municipality)
    if categories:
        conversation.step = Step.CATEGORY
    return replies.ask_category(conversation.municipality, categories, 0)


def _on_category(conversation, incoming: Incoming, action: str, word: str, messenger) -> list:
    municipality = conversation.municipality
    categories = selectors.line_categories(municipality=municipality)
    if action == "page":
        try:
            conversation.category_page = max(0, int(incoming.data.get("n", "0"))) % 1000
        except ValueError:
            conversation.category_page = 0
        return replies.ask_category(municipality, categories, conversation.category_page)
    category = None
    if action == "cat":
        category = selectors.line_category(
            municipality=municipality, category_id=incoming.data.get("id")
        )
    elif incoming.kind == "text":
        category = selectors.line_category_named(municipality=municipality, text=incoming.text)
    if category is None:
        return replies.category_not_understood(municipality, categories, conversation.category_page)
    conversation.category = category
    conversation.step = Step.DESCRIPTION
    return replies.ask_description(category)


def _on_description(conversation, incoming: Incoming, action: str, word: str, messenger) -> list:
    if incoming.kind != "text":
        return replies.description_invalid(_("Please describe the problem in a text message."))
    description = incoming.text.strip()
    if len(description) < DESCRIPTION_MIN:
        return replies.description_invalid(
            _("The description is too short: please write at least %(min)d characters.")
            % {"min": DESCRIPTION_MIN}
        )
    if len(description) > DESCRIPTION_MAX:
        return replies.description_invalid(
            _("The description is too long: please keep it under %(max)d characters.")
            % {"max": DESCRIPTION_MAX}
        )
    conversation.description = description
    conversation.step = Step.LOCATION
    return replies.ask_location()


def _on_location(conversation, incoming: Incoming, action: str, word: str, messenger) -> list:
    if (
        incoming.kind != "location"
        or incoming.lat is None
        or incoming.lng is None
        or not (-90 <= incoming.lat <= 90 and -180 <= incoming.lng <= 180)
    ):
        return replies.location_help()
    conversation.lat, conversation.lng = float(incoming.lat), float(incoming.lng)
    conversation.address = incoming.address.strip()[:300]
    conversation.step = Step.PHOTO
    return replies.ask_photo()


def _on_photo(conversation, incoming: Incoming, action: str, word: str, messenger) -> list:
    count = LineDraftPhoto.objects.filter(conversation=conversation).count()
    if action in ("skip", "done") or word in SKIP_WORDS:
        conversation.step = Step.CONSENT
        return replies.ask_consent(conversation.municipality)
    if incoming.kind != "image":
        return replies.photo_help(has_photos=count > 0)
    if incoming.content_provider != "line":
        # An image hosted elsewhere (sent by another service): never fetched from its URL.
        return replies.photo_refused(
            _("please send a photo taken or chosen in LINE."), has_photos=count > 0
        )
    try:
        content = messenger.get_content(incoming.message_id)
    except LineApiError as error:
        logger.warning("LINE content %s could not be fetched: %s", incoming.message_id, error)
        return replies.photo_refused(
            _("it could not be downloaded from LINE."), has_photos=count > 0
        )
    upload = SimpleUploadedFile("line-photo", content, content_type="application/octet-stream")
    try:
        cleaned = photo_rules.clean_photo(upload)
    except ValidationError as error:
        return replies.photo_refused(" ".join(error.messages), has_photos=count > 0)
    LineDraftPhoto.objects.create(
        municipality_id=conversation.municipality_id,
        conversation=conversation,
        image=cleaned.image.read(),
    )
    count += 1
    if count >= MAX_PHOTOS:
        conversation.step = Step.CONSENT
        return [
            replies.text_message(
                _("Photo %(count)d of %(max)d received.") % {"count": count, "max": MAX_PHOTOS}
            ),
            *replies.ask_consent(conversation.municipality),
        ]
    return replies.photo_received(count, MAX_PHOTOS)


def _yes_no(action: str, incoming: Incoming, word: str, postback_action: str) -> bool | None:
    if action == postback_action:
        value = incoming.data.get("v")
        return True if value == "yes" else False if value == "no" else None
    if word in YES_WORDS:
        return True
    if word in NO_WORDS:
        return False
    return None


def _on_consent(conversation, incoming: Incoming, action: str, word: str, messenger) -> list:
    answer = _yes_no(action, incoming, word, "consent")
    if answer is None:
        return replies.consent_not_understood(conversation.municipality)
    conversation.contact_consent = answer
    conversation.step = Step.CONFIRM
    return replies.ask_confirm(conversation, conversation.photos.count())


def _on_confirm(conversation, incoming: Incoming, action: str, word: str, messenger) -> list:
    answer = _yes_no(action, incoming, word, "confirm")
    if answer is False:
        _reset(conversation)
        return replies.cancelled()
    if answer is None:
        return replies.confirm_not_understood(conversation, conversation.photos.count())
    contact = bool(conversation.contact_consent)
    try:
        with transaction.atomic():
            report = line_report_create(
                conversation=conversation,
                idempotency_key=f"line:{incoming.webhook_event_id}",
            )
    except ValidationError as error:
        _reset(conversation)
        return replies.report_refused(" ".join(error.messages))
    _reset(conversation)
    return replies.report_created(report, contact=contact)


@transaction.atomic
def line_report_create(*, conversation: LineConversation, idempotency_key: str) -> Report:
    """Turn a confirmed conversation into a report. With the resident's consent, record it
    (PDPA) and subscribe their LINE account to the report's status changes."""
    if conversation.category is None or conversation.lat is None:
        raise ValidationError(_("The report is incomplete; please start again."))
    municipality = conversation.municipality
    photos = [
        SimpleUploadedFile(f"line-{position}.jpg", bytes(photo.image), content_type="image/jpeg")
        for position, photo in enumerate(conversation.photos.all()[:MAX_PHOTOS])
    ]
    report = report_create(
        municipality=municipality,
        category=conversation.category,
        description=conversation.description,
        lat=conversation.lat,
        lng=conversation.lng,
        address=conversation.address,
        photos=photos,
        channel=Report.Channel.LINE,
        idempotency_key=idempotency_key,
        is_anonymous=True,
    )
    if conversation.contact_consent:
        ConsentRecord.objects.get_or_create(
            municipality=municipality,
            report=report,
            purpose=ConsentRecord.Purpose.REPORT_CONTACT,
            defaults={
                "policy_version": PRIVACY_POLICY_VERSION,
                "method": ConsentRecord.Method.ONLINE,
            },
        )
        from thesaban.notifications.services import subscription_create

        subscription_create(
            municipality=municipality,
            channel="line",
            address=conversation.line_user_id,
            report=report,
            language=conversation.language,
        )
    audit_record(
        action="line.report_create",
        municipality=municipality,
        target=report,
        data={"photos": len(photos), "contact_consent": bool(conversation.contact_consent)},
    )
    return report


# -- notifications -----------------------------------------------------------------------------


def send_delivery(delivery: Any) -> None:
    """The "line" sender of the notifications outbox: push one delivery to a LINE user.

    Raises the registry's TemporaryFailure (429, 5xx, no answer) or PermanentFailure (another
    4xx, e.g. a user who blocked the account, or a municipality without a LINE channel)."""
    from thesaban.notifications.registry import PermanentFailure, TemporaryFailure

    channel = selectors.line_channel_by_municipality_id(municipality_id=delivery.municipality_id)
    if channel is None or not channel.is_active or not channel.is_configured:
        raise PermanentFailure("This municipality has no active LINE channel.")
    address = (delivery.address or "").strip()
    if not re.fullmatch(r"U[0-9a-f]{32}", address):
        raise PermanentFailure("Not a LINE user id.")
    language = "en" if (delivery.language or "").startswith("en") else "th"
    with translation.override(language):
        messages = replies.notification(delivery.payload or {})
    try:
        messenger_for(channel).push(address, messages, retry_key(delivery.idempotency_key))
    except LineApiError as error:
        if error.is_temporary:
            raise TemporaryFailure(str(error)) from error
        raise PermanentFailure(str(error)) from error
