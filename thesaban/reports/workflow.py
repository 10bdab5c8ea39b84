"""The report state machine: every allowed transition, in one table.

Services consult this table and nothing else; a transition not listed here is refused.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_STATUSES = frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.IN_PROGRESS})
DONE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})


class Actor(models.TextChoices):
    STAFF = "staff", _("staff")
    REPORTER = "reporter", _("reporter")
    SYSTEM = "system", _("system")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    actor: str
    label: str
    public_note_required: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Status.SUBMITTED, Status.ACCEPTED, Actor.STAFF, _("Accept")),
    Transition(Status.SUBMITTED, Status.IN_PROGRESS, Actor.STAFF, _("Start work")),
    Transition(Status.SUBMITTED, Status.RESOLVED, Actor.STAFF, _("Resolve"), True),
    Transition(Status.SUBMITTED, Status.REJECTED, Actor.STAFF, _("Reject"), True),
    Transition(Status.SUBMITTED, Status.DUPLICATE, Actor.SYSTEM, _("Mark as duplicate")),
    Transition(Status.ACCEPTED, Status.IN_PROGRESS, Actor.STAFF, _("Start work")),
    Transition(Status.ACCEPTED, Status.RESOLVED, Actor.STAFF, _("Resolve"), True),
    Transition(Status.ACCEPTED, Status.REJECTED, Actor.STAFF, _("Reject"), True),
    Transition(Status.ACCEPTED, Status.DUPLICATE, Actor.SYSTEM, _("Mark as duplicate")),
    Transition(Status.IN_PROGRESS, Status.RESOLVED, Actor.STAFF, _("Resolve"), True),
    Transition(Status.IN_PROGRESS, Status.REJECTED, Actor.STAFF, _("Reject"), True),
    Transition(Status.IN_PROGRESS, Status.DUPLICATE, Actor.SYSTEM, _("Mark as duplicate")),
    Transition(Status.RESOLVED, Status.CLOSED, Actor.STAFF, _("Close")),
    Transition(Status.RESOLVED, Status.CLOSED, Actor.SYSTEM, _("Close")),
    # The reporter may reopen within REOPEN_WINDOW of resolution; it goes back to triage.
    Transition(Status.RESOLVED, Status.ACCEPTED, Actor.REPORTER, _("Reopen")),
)

REOPEN_WINDOW_DAYS = 14


def find_transition(source: str, target: str, actor: str) -> Transition | None:
    for transition in TRANSITIONS:
        if (
            transition.source == source
            and transition.target == target
            and transition.actor == actor
        ):
            return transition
    return None


def transitions_from(source: str, actor: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source and t.actor == actor]
