"""Reads of opinion groups. Every query starts from the process's municipality."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q

from thesaban.participation.models import Participant, Process
from thesaban.participation.opinions.models import OpinionMap, Statement, StatementVote


def point_token(process_id: int, participant_id) -> str:
    """The anonymous name of a participant's point on one process's map: a keyed hash, so the
    map never stores who is who, and a token says nothing about other processes."""
    key = settings.SECRET_KEY.encode()
    message = f"opinions:point:{process_id}:{participant_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:16]


def participant_of(*, process: Process, user) -> Participant | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Participant.objects.filter(municipality=process.municipality_id, user=user).first()


def approved_statements(*, process: Process):
    return Statement.objects.filter(
        municipality=process.municipality_id, process=process, status=Statement.Status.APPROVED
    ).order_by("created_at", "pk")


def has_statements(*, process: Process) -> bool:
    return approved_statements(process=process).exists()


@dataclass
class VotableStatement:
    statement: Statement
    my_choice: int | None  # None: not voted yet


def statements_with_my_votes(
    *, process: Process, participant: Participant | None
) -> list[VotableStatement]:
    """Approved statements in a stable order, each with the viewer's vote (two queries)."""
    statements = list(approved_statements(process=process))
    mine: dict[int, int] = {}
    if participant is not None:
        mine = dict(
            StatementVote.objects.filter(
                municipality=process.municipality_id,
                participant=participant,
                statement__process=process,
            ).values_list("statement_id", "choice")
        )
    return [VotableStatement(statement, mine.get(statement.pk)) for statement in statements]


def pending_statements(*, process: Process):
    return Statement.objects.filter(
        municipality=process.municipality_id, process=process, status=Statement.Status.PENDING
    ).order_by("created_at", "pk")


def statements_for_staff(*, process: Process):
    return (
        Statement.objects.filter(municipality=process.municipality_id, process=process)
        .annotate(
            agree=Count("votes", filter=Q(votes__choice=1)),
            disagree=Count("votes", filter=Q(votes__choice=-1)),
            passed=Count("votes", filter=Q(votes__choice=0)),
        )
        .select_related("seeded_by", "moderated_by")
        .order_by("status", "created_at", "pk")
    )


def processes_for_staff(*, municipality):
    return (
        Process.objects.filter(municipality=municipality)
        .annotate(
            statement_total=Count(
                "statements", filter=Q(statements__status=Statement.Status.APPROVED)
            ),
            pending_total=Count(
                "statements", filter=Q(statements__status=Statement.Status.PENDING)
            ),
        )
        .order_by("-created_at")
    )


def opinion_map_of(*, process: Process) -> OpinionMap | None:
    return OpinionMap.objects.filter(municipality=process.municipality_id, process=process).first()


def voter_count(*, process: Process) -> int:
    return (
        StatementVote.objects.filter(
            municipality=process.municipality_id,
            statement__process=process,
            statement__status=Statement.Status.APPROVED,
        )
        .values("participant_id")
        .distinct()
        .count()
    )
