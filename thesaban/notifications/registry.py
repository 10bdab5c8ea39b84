"""Channels plug in here, so the outbox never names them.

A channel is a name ("email", "webhook", "line", ...) and a sender: a callable that sends one
delivery. The outbox gives every subscription whose channel has a registered sender a
delivery, claims it, calls the sender, and records the outcome:

- the sender returns: the delivery is recorded as sent;
- it raises `TemporaryFailure` (a time-out, a 5xx, a full mailbox): tried again later with
  exponential back-off, until the maximum number of attempts, then dead-lettered;
- it raises `PermanentFailure` (an address or endpoint that will never work): dead-lettered now.
  Any other exception counts as temporary.

The delivery passed to a sender has `.channel`, `.address` (an e-mail address, a LINE user id,
a webhook endpoint's id as a string), `.idempotency_key` (a stable UUID string: send it to the
receiver so a repeat after a crash is recognised), `.language` ("th"/"en") and `.payload`
(a dict with at least "subject", "text" — plain text already in the recipient's language, at
most 1,000 characters —, "url" (absolute) and "event" (machine-readable, no personal data)).

    from thesaban.notifications.registry import register_sender
    register_sender("line", send_line_push)   # in an AppConfig.ready()
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Sender = Callable[[Any], None]


class DeliveryFailure(Exception):
    """Base of the two outcomes a sender may report."""


class TemporaryFailure(DeliveryFailure):
    """Try again later (with back-off)."""


class PermanentFailure(DeliveryFailure):
    """Never try again: the delivery goes to the dead letters staff see."""


_senders: dict[str, Sender] = {}


def register_sender(channel: str, sender: Sender) -> None:
    """Register (or replace) the sender of a channel."""
    if not channel or len(channel) > 20:
        raise ValueError("A channel name has 1 to 20 characters.")
    _senders[channel] = sender


def unregister_sender(channel: str) -> None:
    _senders.pop(channel, None)


def sender_for(channel: str) -> Sender | None:
    return _senders.get(channel)


def channels() -> list[str]:
    """The channels that can deliver now, sorted."""
    return sorted(_senders)
