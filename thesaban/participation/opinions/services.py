"""Writes of opinion groups: statements (added by participants and moderated, or seeded by
staff), votes on them, and the recomputation of a process's opinion map.

Every write is keyword-only and atomic, checks the open phase and the person's rights, and
says why when it refuses. Statements, moderation, seeding and a staff-requested recomputation
are audited; a vote is not (like a position on a document section): the audit log would
otherwise become a record of each person's opinions.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.accounts.models import User
from thesaban.core.audit import audit_record
from thesaban.insight import opinion_groups
from thesaban.participation.models import Phase, Process
from thesaban.participation.opinions.models import (
    STATEMENT_MAX_LENGTH,
    OpinionMap,
    Statement,
    StatementVote,
)
from thesaban.participation.opinions.selectors import point_token
from thesaban.participation.services import participant_get_or_create

# At most this many statements per participant and process in the window.
STATEMENT_RATE_LIMIT = (5, timedelta(hours=1))


def _require_opinion_phase(process: Process) -> Phase:
    if not process.is_published:
        raise PermissionDenied(_("This process is not open."))
    now = timezone.now()
    for phase in process.phases.all():
        if phase.allows(Phase.Action.OPINION, now):
            return phase
    raise ValidationError(
        _("Voting on statements is not open in the current phase of this process.")
    )


def _require_moderator(user: User, process: Process) -> None:
    if not user.has_perm("opinions.moderate", process.municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _clean_text(process: Process, text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise ValidationError({"text": _("Write a statement.")})
    if len(text) > STATEMENT_MAX_LENGTH:
        raise ValidationError(
            {
                "text": _("Keep a statement to %(max)s characters or fewer (it has %(n)s).")
                % {"max": STATEMENT_MAX_LENGTH, "n": len(text)}
            }
        )
    if Statement.objects.filter(
        municipality=process.municipality_id, process=process, text__iexact=text
    ).exists():
        raise ValidationError({"text": _("This statement is already in this process.")})
    return text


def _create(process: Process, **fields) -> Statement:
    try:
        with transaction.atomic():
            return Statement.objects.create(
                municipality=process.municipality, process=process, **fields
            )
    except IntegrityError:  # the same text written at the same moment
        raise ValidationError({"text": _("This statement is already in this process.")}) from None


@transaction.atomic
def statement_create(*, process: Process, user: User, text: str) -> Statement:
    """A participant's statement: it waits for a moderator before anyone can vote on it."""
    _require_opinion_phase(process)
    participant = participant_get_or_create(municipality=process.municipality, user=user)
    limit, window = STATEMENT_RATE_LIMIT
    recent = Statement.objects.filter(
        municipality=process.municipality_id,
        process=process,
        author=participant,
        created_at__gte=timezone.now() - window,
    ).count()
    if recent >= limit:
        raise ValidationError(
            _("You have added %(limit)s statements in the last hour. Try again later.")
            % {"limit": limit}
        )
    statement = _create(
        process,
        text=_clean_text(process, text),
        author=participant,
        status=Statement.Status.PENDING,
    )
    audit_record(
        action="opinions.statement_create",
        actor=user,
        municipality=process.municipality,
        target=statement,
        data={"process": process.slug},
    )
    return statement


@transaction.atomic
def statement_seed(*, process: Process, actor: User, text: str) -> Statement:
    """Staff start the conversation with statements of their own: approved at once."""
    _require_moderator(actor, process)
    statement = _create(
        process,
        text=_clean_text(process, text),
        seeded_by=actor,
        status=Statement.Status.APPROVED,
        moderated_by=actor,
        moderated_at=timezone.now(),
    )
    audit_record(
        action="opinions.statement_seed",
        actor=actor,
        municipality=process.municipality,
        target=statement,
        data={"process": process.slug},
    )
    return statement


@transaction.atomic
def statement_moderate(*, statement: Statement, actor: User, approve: bool) -> Statement:
    """Approve a waiting statement (people can vote on it) or reject it (it is never shown)."""
    _require_moderator(actor, statement.process)
    locked = Statement.objects.select_for_update().get(pk=statement.pk)
    if locked.status != Statement.Status.PENDING:
        raise ValidationError(_("This statement has already been moderated."))
    locked.status = Statement.Status.APPROVED if approve else Statement.Status.REJECTED
    locked.moderated_by = actor
    locked.moderated_at = timezone.now()
    locked.save(update_fields=["status", "moderated_by", "moderated_at"])
    audit_record(
        action="opinions.statement_approve" if approve else "opinions.statement_reject",
        actor=actor,
        municipality=statement.municipality,
        target=locked,
        data={"process": statement.process.slug},
    )
    return locked


@transaction.atomic
def statement_vote(*, statement: Statement, user: User, choice: int) -> StatementVote:
    """Agree (1), disagree (-1) or pass (0); voting again changes the vote. The process's map
    is recomputed after the transaction commits."""
    if choice not in StatementVote.Choice.values:
        raise ValidationError({"choice": _("Choose agree, disagree or pass.")})
    if statement.status != Statement.Status.APPROVED:
        raise ValidationError(_("This statement cannot be voted on."))
    process = statement.process
    _require_opinion_phase(process)
    participant = participant_get_or_create(municipality=process.municipality, user=user)
    vote, _created = StatementVote.objects.update_or_create(
        municipality=statement.municipality,
        statement=statement,
        participant=participant,
        defaults={"choice": choice},
    )
    opinion_map_schedule(process=process)
    return vote


def opinion_map_schedule(*, process: Process) -> None:
    from thesaban.participation.opinions.tasks import recompute_opinion_map

    process_id = process.pk
    transaction.on_commit(lambda: recompute_opinion_map.enqueue(process_id))


def _votes_of(process: Process):
    return StatementVote.objects.filter(
        municipality=process.municipality_id,
        statement__process=process,
        statement__status=Statement.Status.APPROVED,
    )


def _is_current(current: OpinionMap | None, marker: dict, n_statements: int) -> bool:
    return (
        current is not None
        and current.votes_seen == marker["n"]
        and current.last_vote_at == marker["last"]
        and current.result.get("n_statements") == n_statements
    )


@transaction.atomic
def opinion_map_recompute(
    *, process: Process, actor: User | None = None, force: bool = False
) -> OpinionMap:
    """Recompute the process's map if votes changed since it was computed (or if `force`).
    The process row is locked, so concurrent tasks run one after the other and the second
    finds nothing to do."""
    if actor is not None:
        _require_moderator(actor, process)
    Process.objects.select_for_update().filter(pk=process.pk).first()
    statements = list(
        Statement.objects.filter(
            municipality=process.municipality_id, process=process, status=Statement.Status.APPROVED
        )
        .order_by("pk")
        .values_list("pk", "text")
    )
    votes = _votes_of(process)
    marker = votes.aggregate(n=Count("id"), last=Max("updated_at"))
    current = OpinionMap.objects.filter(
        municipality=process.municipality_id, process=process
    ).first()
    if not force and _is_current(current, marker, len(statements)):
        return current  # type: ignore[return-value]
    triples = list(votes.values_list("participant_id", "statement_id", "choice"))
    computed = opinion_groups.compute(triples, [pk for pk, _text in statements])
    result = _serialise(process, computed, dict(statements))
    fields = {
        "computed_at": timezone.now(),
        "votes_seen": marker["n"],
        "last_vote_at": marker["last"],
        "n_participants": computed.n_participants,
        "n_clustered": computed.n_clustered,
        "k": computed.k,
        "silhouette": computed.silhouette,
        "seed": computed.seed,
        "fingerprint": computed.fingerprint,
        "result": result,
    }
    if current is None:
        current = OpinionMap.objects.create(
            municipality=process.municipality, process=process, **fields
        )
    else:
        for name, value in fields.items():
            setattr(current, name, value)
        current.save()
    if actor is not None:
        audit_record(
            action="opinions.map_recompute",
            actor=actor,
            municipality=process.municipality,
            target=current,
            data={"process": process.slug, "votes": marker["n"], "k": computed.k},
        )
    return current


def _serialise(process: Process, computed: opinion_groups.OpinionGroups, texts: dict) -> dict:
    """The JSON stored with the map. Points carry an anonymous token (a keyed hash of process
    and participant), never a participant id or public name; only the viewer's own token is
    ever computed on a page, to highlight their point."""
    points = sorted(
        (
            {
                "token": point_token(process.pk, point.participant),
                "x": point.x,
                "y": point.y,
                "group": point.group,
            }
            for point in computed.points
        ),
        key=lambda point: point["token"],
    )
    return {
        "version": 1,
        "n_statements": computed.n_statements,
        "min_votes": computed.min_votes,
        "n_excluded": len(computed.excluded),
        "points": points,
        "groups": [
            {
                "id": group.id,
                "size": group.size,
                "centre": list(group.centre),
                "representative": [
                    {
                        "statement_id": item.statement_id,
                        "text": texts.get(item.statement_id, ""),
                        "direction": item.direction,
                        "ratio": item.ratio,
                        "p_in": item.p_in,
                        "p_out": item.p_out,
                        "p_agree_in": item.p_agree_in,
                        "p_agree_out": item.p_agree_out,
                    }
                    for item in group.representative
                ],
            }
            for group in computed.groups
        ],
        "consensus": [
            {
                "statement_id": item.statement_id,
                "text": texts.get(item.statement_id, ""),
                "score": item.score,
                "p_agree_by_group": item.p_agree_by_group,
            }
            for item in computed.consensus
        ],
        "totals": {str(key): value for key, value in computed.totals.items()},
    }
