"""What the LINE bot says: line-bot-sdk message models, in the active language.

Callers activate the conversation's language (`translation.override`) before calling these.
Quick-reply buttons are LINE's: at most 13 per message, labels of at most 20 characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from linebot.v3.messaging import (
    CameraAction,
    CameraRollAction,
    LocationAction,
    MessageAction,
    PostbackAction,
    QuickReply,
    QuickReplyItem,
    TextMessage,
)

from thesaban.core import dates
from thesaban.reports.workflow import Status

MAX_QUICK_REPLIES = 13
LABEL_LIMIT = 20
TEXT_LIMIT = 5000


def label(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= LABEL_LIMIT else text[: LABEL_LIMIT - 1] + "…"


def postback(text: str, action: str, **params: object) -> QuickReplyItem:
    data = urlencode({"a": action, **params})
    return QuickReplyItem(
        action=PostbackAction(label=label(text), data=data, display_text=label(text))
    )


def text_message(text: str, items: Sequence[QuickReplyItem] = ()) -> TextMessage:
    text = text.strip()[:TEXT_LIMIT]
    quick = QuickReply(items=list(items)[:MAX_QUICK_REPLIES]) if items else None
    return TextMessage(text=text, quick_reply=quick)


def language() -> str:
    return "en" if (translation.get_language() or "th").startswith("en") else "th"


def localized(obj, field: str = "name") -> str:
    lang = language()
    return getattr(obj, f"{field}_{lang}", "") or getattr(obj, f"{field}_th", "")


def absolute_url(path: str) -> str:
    base = getattr(settings, "PUBLIC_BASE_URL", "").rstrip("/")
    suffix = "?lang=en" if language() == "en" else ""
    return f"{base}{path}{suffix}"


def report_url(report) -> str:
    return absolute_url(
        reverse(
            "reports:detail",
            kwargs={"municipality": report.municipality.slug, "code": report.tracking_code},
        )
    )


def report_private_url(report) -> str:
    return absolute_url(
        reverse(
            "reports:follow_link",
            kwargs={
                "municipality": report.municipality.slug,
                "code": report.tracking_code,
                "token": report.follow_token,
            },
        )
    )


def cancel_item() -> QuickReplyItem:
    return postback(_("Cancel"), "cancel")


def start_item() -> QuickReplyItem:
    # A message action, so the conversation shows what the resident "said".
    return QuickReplyItem(
        action=MessageAction(label=label(_("Report a problem")), text=_("report a problem"))
    )


# -- the steps -------------------------------------------------------------------------------


def category_page(categories: Sequence, page: int) -> tuple[list, int, int]:
    """The categories on `page`, the page shown (wrapped) and the number of pages."""
    if len(categories) <= MAX_QUICK_REPLIES:
        return list(categories), 0, 1
    size = MAX_QUICK_REPLIES - 1  # the last button is "More"
    pages = -(-len(categories) // size)
    page = page % pages
    return list(categories[page * size : (page + 1) * size]), page, pages


def ask_category(municipality, categories: Sequence, page: int = 0) -> list[TextMessage]:
    if not categories:
        return [
            text_message(
                _(
                    "Reporting through LINE is not available yet: %(municipality)s has no categories."
                )
                % {"municipality": localized(municipality)}
            )
        ]
    shown, page, pages = category_page(categories, page)
    items = [
        postback(f"{category.icon} {localized(category)}".strip(), "cat", id=category.pk)
        for category in shown
    ]
    if pages > 1:
        items.append(postback(_("More ▶"), "page", n=(page + 1) % pages))
    text = _(
        "What kind of problem do you want to report to %(municipality)s? Choose a category below."
    ) % {"municipality": localized(municipality)}
    if pages > 1:
        text += "\n" + _("(categories %(page)d of %(pages)d: “More” shows the others)") % {
            "page": page + 1,
            "pages": pages,
        }
    text += "\n" + _("Type “cancel” at any time to stop.")
    return [text_message(text, items)]


def category_not_understood(municipality, categories: Sequence, page: int) -> list[TextMessage]:
    return [
        text_message(_("Please choose one of the categories with the buttons below.")),
        *ask_category(municipality, categories, page),
    ]


def ask_description(category) -> list[TextMessage]:
    return [
        text_message(
            _(
                "%(category)s: please describe the problem in a message: what is wrong, and since when."
            )
            % {"category": localized(category)},
            [cancel_item()],
        )
    ]


def description_invalid(reason: str) -> list[TextMessage]:
    return [text_message(reason, [cancel_item()])]


def ask_location() -> list[TextMessage]:
    return [
        text_message(
            _("Where is the problem? Tap “Send location” below and choose the place on the map."),
            [QuickReplyItem(action=LocationAction(label=label(_("Send location")))), cancel_item()],
        )
    ]


def location_help() -> list[TextMessage]:
    return [
        text_message(
            _(
                "Please share the place as a LINE location: tap “Send location” below (or “+” "
                "beside the message box, then “Location”), move the map to the place and tap "
                "“Share”."
            ),
            [QuickReplyItem(action=LocationAction(label=label(_("Send location")))), cancel_item()],
        )
    ]


def photo_items(*, has_photos: bool) -> list[QuickReplyItem]:
    return [
        QuickReplyItem(action=CameraAction(label=label(_("Take a photo")))),
        QuickReplyItem(action=CameraRollAction(label=label(_("Choose a photo")))),
        postback(_("Done"), "done") if has_photos else postback(_("Skip"), "skip"),
        cancel_item(),
    ]


def ask_photo() -> list[TextMessage]:
    return [
        text_message(
            _(
                "Thank you. You may add up to %(max)d photos: take one or choose one from your "
                "album. Or tap “Skip”."
            )
            % {"max": 3},
            photo_items(has_photos=False),
        )
    ]


def photo_received(count: int, maximum: int) -> list[TextMessage]:
    return [
        text_message(
            _("Photo %(count)d of %(max)d received. Send another, or tap “Done”.")
            % {"count": count, "max": maximum},
            photo_items(has_photos=True),
        )
    ]


def photo_refused(reason: str, *, has_photos: bool) -> list[TextMessage]:
    return [
        text_message(
            _("This photo cannot be used: %(reason)s Send another one, or continue without it.")
            % {"reason": reason},
            photo_items(has_photos=has_photos),
        )
    ]


def photo_help(*, has_photos: bool) -> list[TextMessage]:
    return [
        text_message(
            _("Send a photo, or tap “Done” to continue.")
            if has_photos
            else _("Send a photo, or tap “Skip” to continue without one."),
            photo_items(has_photos=has_photos),
        )
    ]


def ask_consent(municipality) -> list[TextMessage]:
    return [
        text_message(
            _(
                "May %(municipality)s contact you here in LINE about this report, for example "
                "to tell you when its status changes? Your LINE account is never shown publicly "
                "and is used only for this report."
            )
            % {"municipality": localized(municipality)},
            [
                postback(_("Yes, you may"), "consent", v="yes"),
                postback(_("No, thank you"), "consent", v="no"),
                cancel_item(),
            ],
        )
    ]


def consent_not_understood(municipality) -> list[TextMessage]:
    return [text_message(_("Please answer with the buttons below.")), *ask_consent(municipality)]


def ask_confirm(conversation, photo_count: int) -> list[TextMessage]:
    place = conversation.address or f"{conversation.lat:.5f}, {conversation.lng:.5f}"
    lines = [
        _("Please check your report:"),
        _("Category: %(value)s") % {"value": localized(conversation.category)},
        _("Problem: %(value)s") % {"value": conversation.description},
        _("Place: %(value)s") % {"value": place},
        _("Photos: %(value)d") % {"value": photo_count},
        _("Contact through LINE: %(value)s")
        % {"value": _("yes") if conversation.contact_consent else _("no")},
        "",
        _("Send it to %(municipality)s?") % {"municipality": localized(conversation.municipality)},
    ]
    return [
        text_message(
            "\n".join(lines),
            [postback(_("Send"), "confirm", v="yes"), postback(_("Cancel"), "cancel")],
        )
    ]


def confirm_not_understood(conversation, photo_count: int) -> list[TextMessage]:
    return [
        text_message(_("Tap “Send” to submit the report, or “Cancel” to discard it.")),
        *ask_confirm(conversation, photo_count),
    ]


def report_created(report, *, contact: bool) -> list[TextMessage]:
    lines = [
        _("Thank you! %(municipality)s has received your report.")
        % {"municipality": localized(report.municipality)},
        _("Tracking code: %(code)s") % {"code": report.tracking_code},
        _("Follow it here: %(url)s") % {"url": report_url(report)},
        "",
        _("Type the tracking code at any time to see its status.")
        + (" " + _("We will also tell you here when its status changes.") if contact else ""),
    ]
    private = _(
        "Your private link, to rate the result or reopen the report (do not share it): %(url)s"
    ) % {"url": report_private_url(report)}
    return [text_message("\n".join(lines), [start_item()]), text_message(private)]


def report_refused(reason: str) -> list[TextMessage]:
    return [
        text_message(
            _("Your report could not be submitted: %(reason)s") % {"reason": reason},
            [start_item()],
        )
    ]


def cancelled() -> list[TextMessage]:
    return [
        text_message(
            _("Cancelled: nothing was sent. Type anything when you want to report a problem."),
            [start_item()],
        )
    ]


def expired(minutes: int) -> TextMessage:
    return text_message(
        _("Your unfinished report was discarded after %(minutes)d minutes without an answer.")
        % {"minutes": minutes}
    )


def welcome(municipality) -> list[TextMessage]:
    return [
        text_message(
            _(
                "Welcome to %(municipality)s! To report a problem (a broken road, a dark street "
                "light, garbage…) tap “Report a problem” or type anything. To check a report, "
                "type its tracking code."
            )
            % {"municipality": localized(municipality)},
            [start_item()],
        )
    ]


def report_status(report) -> list[TextMessage]:
    lang = language()
    lines = [
        _("Report %(code)s") % {"code": report.tracking_code},
        _("Category: %(value)s") % {"value": localized(report.category)},
        _("Status: %(value)s") % {"value": Status(report.status).label},
        _("Submitted: %(value)s") % {"value": dates.format_date(report.submitted_at, lang)},
        _("Last update: %(value)s") % {"value": dates.format_date(report.updated_at, lang)},
        report_url(report),
    ]
    return [text_message("\n".join(lines))]


def report_not_found(municipality, code: str) -> list[TextMessage]:
    return [
        text_message(
            _("No report with the tracking code %(code)s was found at %(municipality)s.")
            % {"code": code, "municipality": localized(municipality)}
        )
    ]


def notification(payload: dict) -> list[TextMessage]:
    """A notification from the outbox (notifications app) as one LINE text message."""
    parts = [str(payload.get("text") or payload.get("subject") or "").strip()]
    if payload.get("url"):
        parts.append(str(payload["url"]))
    if payload.get("footer"):
        parts.append(str(payload["footer"]).strip())
    return [text_message("\n\n".join(part for part in parts if part))]
