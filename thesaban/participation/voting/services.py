"""Writes of polls and participatory budgets.

Keyword-only, typed, atomic. Staff writes are audited with `audit_record`. Votes are *not*
audited: an audit row naming the voter and the ballot would undo the secret ballot; the
participation row (who voted, never what) is the record that someone voted.

Every vote is idempotent: submitting the same ballot twice (a double click, a retry after a
timeout) leaves one ballot, enforced by unique constraints on both the participation row
(poll, user) and the ballot row (poll, voter key), which concurrent requests meet in the
database rather than in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import rules
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.accounts.models import User
from thesaban.core.audit import audit_record
from thesaban.municipalities.models import Municipality
from thesaban.participation.models import Phase, Process
from thesaban.participation.voting import selectors
from thesaban.participation.voting.eligibility import closed_reason, ineligibility_reason
from thesaban.participation.voting.models import (
    Budget,
    BudgetBallot,
    BudgetBallotLine,
    BudgetParticipation,
    BudgetProject,
    Eligibility,
    Poll,
    PollBallot,
    PollBallotChoice,
    PollOption,
    PollParticipation,
)
from thesaban.participation.voting.secrecy import voter_key

# Fields that may not change once anyone has voted: they would change what a ballot means.
POLL_LOCKED_FIELDS = (
    "process",
    "kind",
    "max_choices",
    "eligibility",
    "community",
    "community_check",
)
BUDGET_LOCKED_FIELDS = (
    "process",
    "total",
    "min_spend_percent",
    "min_projects",
    "max_projects",
    "eligibility",
    "community",
    "community_check",
)
POLL_FIELDS = (
    "process",
    "title_th",
    "title_en",
    "description_th",
    "description_en",
    "kind",
    "max_choices",
    "allows_change",
    "eligibility",
    "community",
    "community_check",
    "results_visibility",
    "opens_at",
    "closes_at",
    "is_published",
)
BUDGET_FIELDS = (
    "process",
    "title_th",
    "title_en",
    "description_th",
    "description_en",
    "total",
    "min_spend_percent",
    "min_projects",
    "max_projects",
    "eligibility",
    "community",
    "community_check",
    "results_visibility",
    "opens_at",
    "closes_at",
    "is_published",
)
OPTION_FIELDS = ("title_th", "title_en", "description_th", "description_en", "order")
PROJECT_FIELDS = (
    "title_th",
    "title_en",
    "description_th",
    "description_en",
    "cost",
    "category_th",
    "category_en",
    "address",
    "lat",
    "lng",
    "proposal_numbers",
)


def _require(actor: User, permission: str, municipality: Municipality) -> None:
    if not rules.has_perm(permission, actor, municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


def _changes(instance, data: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    changed = {}
    for name in fields:
        if name not in data:
            continue
        try:
            old = getattr(instance, name)
        except ObjectDoesNotExist:  # a new row without its foreign key yet
            old = None
        new = data[name]
        if old != new:
            changed[name] = new
    return changed


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _validate_window(*, municipality: Municipality, data: dict[str, Any], action: str) -> None:
    process: Process | None = data.get("process")
    opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
    errors: dict[str, list[str]] = {}
    if process is None or process.municipality_id != municipality.pk:
        errors["process"] = [_("Choose a process of this municipality.")]
    if opens_at and closes_at and closes_at <= opens_at:
        errors["closes_at"] = [_("Voting must close after it opens.")]
    if not errors and opens_at and closes_at:
        fits = any(
            action in (phase.actions or [])
            and phase.starts_at <= opens_at
            and closes_at <= phase.ends_at
            for phase in process.phases.all()
        )
        if not fits:
            label = Phase.Action(action).label
            errors["opens_at"] = [
                _(
                    "Voting dates must lie inside one phase of the process that opens “%(action)s”. Add or extend such a phase first."
                )
                % {"action": label}
            ]
    if data.get("eligibility") == Eligibility.COMMUNITY:
        community = data.get("community")
        if community is None or community.municipality_id != municipality.pk:
            errors["community"] = [_("Choose the community whose residents may vote.")]
    if errors:
        raise ValidationError(errors)


# --- polls: staff ---------------------------------------------------------------------------


@transaction.atomic
def _save_after_ballot_rules(
    *,
    instance: Poll | Budget,
    kind: str,
    merged: dict[str, Any],
    fields: Sequence[str],
    locked_fields: Sequence[str],
    voted: bool,
    actor: User,
):
    """Save a poll or budget from its checked form data. Once people have voted, what a
    ballot means (`locked_fields`) can no longer change; every save is audited."""
    if voted:
        locked = list(_changes(instance, merged, locked_fields))
        if locked:
            raise ValidationError(
                {
                    name: _("People have already voted: this can no longer be changed.")
                    for name in locked
                }
            )
    creating = instance.pk is None
    changed = _changes(instance, merged, fields)
    for name, value in merged.items():
        setattr(instance, name, value)
    instance.full_clean(exclude=["municipality"])
    instance.save()
    audit_record(
        action=f"voting.{kind}_create" if creating else f"voting.{kind}_change",
        actor=actor,
        municipality=instance.municipality,
        target=instance,
        data={name: _jsonable(value) for name, value in changed.items()},
    )
    return instance


def poll_save(
    *, municipality: Municipality, actor: User, data: dict[str, Any], poll: Poll | None = None
) -> Poll:
    """Create a poll (`poll=None`) or change one. After the first ballot, what a ballot means
    (type, maximum, eligibility, process) can no longer change."""
    _require(actor, "voting.manage", municipality)
    if poll is not None and poll.municipality_id != municipality.pk:
        raise PermissionDenied(_("Your staff role does not allow this."))
    merged = {name: data.get(name, getattr(poll or Poll(), name, None)) for name in POLL_FIELDS}
    if merged["eligibility"] != Eligibility.COMMUNITY:
        merged["community"] = None
    _validate_window(municipality=municipality, data=merged, action=Phase.Action.VOTE)
    kind, max_choices = merged["kind"], merged["max_choices"] or 0
    if kind == Poll.Kind.MULTIPLE and max_choices < 2:
        raise ValidationError(
            {"max_choices": _("A multiple-choice poll needs a maximum of at least 2.")}
        )
    if kind == Poll.Kind.SINGLE:
        merged["max_choices"] = 1
    voted = poll is not None and bool(selectors.poll_ballot_count(poll=poll))
    return _save_after_ballot_rules(
        instance=poll or Poll(municipality=municipality),
        kind="poll",
        merged=merged,
        fields=POLL_FIELDS,
        locked_fields=POLL_LOCKED_FIELDS,
        voted=voted,
        actor=actor,
    )


def _require_no_ballots(poll: Poll) -> None:
    if selectors.poll_ballot_count(poll=poll):
        raise ValidationError(_("People have already voted: the options can no longer be changed."))


@transaction.atomic
def poll_option_save(
    *, poll: Poll, actor: User, data: dict[str, Any], option: PollOption | None = None
) -> PollOption:
    _require(actor, "voting.manage", poll.municipality)
    _require_no_ballots(poll)
    creating = option is None
    if creating:
        option = PollOption(municipality_id=poll.municipality_id, poll=poll)
        if data.get("order") in (None, ""):
            data = {**data, "order": selectors.poll_options(poll=poll).count() + 1}
    elif option.poll_id != poll.pk:
        raise PermissionDenied(_("Your staff role does not allow this."))
    changed = _changes(option, data, OPTION_FIELDS)
    for name in OPTION_FIELDS:
        if name in data:
            setattr(option, name, data[name] if data[name] is not None else "")
    if not option.title_th.strip():
        raise ValidationError({"title_th": _("Give the option a Thai title.")})
    option.save()
    audit_record(
        action="voting.option_create" if creating else "voting.option_change",
        actor=actor,
        municipality=poll.municipality,
        target=option,
        data={"poll": poll.pk, **{k: _jsonable(v) for k, v in changed.items()}},
    )
    return option


@transaction.atomic
def poll_option_delete(*, option: PollOption, actor: User) -> None:
    poll = option.poll
    _require(actor, "voting.manage", poll.municipality)
    _require_no_ballots(poll)
    audit_record(
        action="voting.option_delete",
        actor=actor,
        municipality=poll.municipality,
        target=option,
        data={"poll": poll.pk, "title_th": option.title_th},
    )
    option.delete()


# --- polls: voting ----------------------------------------------------------------------------


def _clean_choices(poll: Poll, option_ids: Sequence[int]) -> list[int]:
    valid = list(selectors.poll_options(poll=poll).values_list("id", flat=True))
    choices = [int(option_id) for option_id in option_ids]
    if not choices:
        raise ValidationError(_("Choose at least one option."))
    if len(set(choices)) != len(choices):
        raise ValidationError(_("Each option may be chosen or ranked only once."))
    if not set(choices) <= set(valid):
        raise ValidationError(_("That option is not part of this poll."))
    if poll.kind == Poll.Kind.SINGLE and len(choices) != 1:
        raise ValidationError(_("Choose exactly one option."))
    limit = poll.max_choices if poll.kind != Poll.Kind.SINGLE else 1
    if limit and len(choices) > limit:
        raise ValidationError(
            _("Choose at most %(limit)s options.") % {"limit": limit}
            if poll.kind == Poll.Kind.MULTIPLE
            else _("Rank at most %(limit)s options.") % {"limit": limit}
        )
    if poll.kind == Poll.Kind.MULTIPLE:
        # Order carries no meaning in multiple choice: store it canonically.
        order = {option_id: index for index, option_id in enumerate(valid)}
        choices.sort(key=order.__getitem__)
    return choices


def _write_choices(poll: Poll, ballot: PollBallot, choices: list[int]) -> None:
    PollBallotChoice.objects.bulk_create(
        PollBallotChoice(
            municipality_id=poll.municipality_id,
            ballot=ballot,
            poll=poll,
            option_id=option_id,
            rank=rank,
        )
        for rank, option_id in enumerate(choices, start=1)
    )


@transaction.atomic
def poll_ballot_cast(
    *, poll: Poll, user: User, option_ids: Sequence[int], now: datetime | None = None
) -> PollBallot:
    """Cast or change `user`'s ballot. `option_ids` in preference order for ranked choice.

    The same ballot sent again is accepted and changes nothing. A different ballot replaces the
    first if the poll allows changes; otherwise it is refused.
    """
    reason = closed_reason(poll, now)
    if reason:
        raise ValidationError(reason)
    reason = ineligibility_reason(user=user, target=poll)
    if reason:
        raise PermissionDenied(reason)
    choices = _clean_choices(poll, option_ids)
    key = voter_key(kind="poll", object_id=poll.pk, user_id=user.pk)
    try:
        with transaction.atomic():
            PollParticipation.objects.create(
                municipality_id=poll.municipality_id, poll=poll, user=user
            )
            ballot = PollBallot.objects.create(
                municipality_id=poll.municipality_id, poll=poll, voter_key=key
            )
            _write_choices(poll, ballot, choices)
            return ballot
    except IntegrityError:
        pass  # already voted (perhaps a moment ago, in a concurrent request): change it
    ballot = (
        PollBallot.objects.select_for_update()
        .filter(municipality_id=poll.municipality_id, poll=poll, voter_key=key)
        .first()
    )
    if ballot is None:
        # A participation row without a ballot under today's key: the ballot secret changed.
        raise ValidationError(_("You have already voted in this poll."))
    current = list(ballot.choices.order_by("rank").values_list("option_id", flat=True))
    if current == choices:
        return ballot
    if not poll.allows_change:
        raise ValidationError(
            _("You have already voted in this poll, and it does not allow changes.")
        )
    ballot.choices.all().delete()
    _write_choices(poll, ballot, choices)
    return ballot


# --- budgets: staff -------------------------------------------------------------------------


@transaction.atomic
def budget_save(
    *, municipality: Municipality, actor: User, data: dict[str, Any], budget: Budget | None = None
) -> Budget:
    _require(actor, "voting.manage", municipality)
    if budget is not None and budget.municipality_id != municipality.pk:
        raise PermissionDenied(_("Your staff role does not allow this."))
    merged = {
        name: data.get(name, getattr(budget or Budget(), name, None)) for name in BUDGET_FIELDS
    }
    if merged["eligibility"] != Eligibility.COMMUNITY:
        merged["community"] = None
    _validate_window(municipality=municipality, data=merged, action=Phase.Action.BUDGET_VOTE)
    errors = {}
    if merged["total"] is None or merged["total"] <= 0:
        errors["total"] = [_("The budget must be more than 0 baht.")]
    if (merged["min_spend_percent"] or 0) > 100:
        errors["min_spend_percent"] = [_("A share of the budget is at most 100 %.")]
    if merged["max_projects"] and merged["min_projects"] > merged["max_projects"]:
        errors["max_projects"] = [_("The maximum number of projects may not be below the minimum.")]
    if errors:
        raise ValidationError(errors)
    voted = budget is not None and bool(
        selectors.budget_ballot_count(budget=budget, checked_out=None)
    )
    return _save_after_ballot_rules(
        instance=budget or Budget(municipality=municipality),
        kind="budget",
        merged=merged,
        fields=BUDGET_FIELDS,
        locked_fields=BUDGET_LOCKED_FIELDS,
        voted=voted,
        actor=actor,
    )


def _require_no_budget_ballots(budget: Budget) -> None:
    if selectors.budget_ballot_count(budget=budget, checked_out=None):
        raise ValidationError(
            _("People have already started voting: the projects can no longer be changed.")
        )


@transaction.atomic
def budget_project_save(
    *, budget: Budget, actor: User, data: dict[str, Any], project: BudgetProject | None = None
) -> BudgetProject:
    _require(actor, "voting.manage", budget.municipality)
    _require_no_budget_ballots(budget)
    creating = project is None
    if creating:
        project = BudgetProject(municipality_id=budget.municipality_id, budget=budget)
    elif project.budget_id != budget.pk:
        raise PermissionDenied(_("Your staff role does not allow this."))
    errors = {}
    if not (data.get("title_th") or project.title_th or "").strip():
        errors["title_th"] = [_("Give the project a Thai title.")]
    cost = data.get("cost", project.cost)
    if cost is None or cost <= 0:
        errors["cost"] = [_("The cost must be more than 0 baht.")]
    elif cost > budget.total:
        errors["cost"] = [_("The cost may not exceed the whole budget.")]
    numbers = data.get("proposal_numbers") or []
    if numbers:
        found = selectors.proposals_by_number(process=budget.process, numbers=numbers)
        missing = sorted(set(numbers) - {proposal.number for proposal in found})
        if missing:
            errors["proposal_numbers"] = [
                _("No proposal with the number %(numbers)s in this process.")
                % {"numbers": ", ".join(str(n) for n in missing)}
            ]
    if errors:
        raise ValidationError(errors)
    changed = _changes(project, data, PROJECT_FIELDS)
    for name in PROJECT_FIELDS:
        if name in data:
            value = data[name]
            if value is None and name not in ("lat", "lng", "cost"):
                value = [] if name == "proposal_numbers" else ""
            setattr(project, name, value)
    project.save()
    audit_record(
        action="voting.project_create" if creating else "voting.project_change",
        actor=actor,
        municipality=budget.municipality,
        target=project,
        data={"budget": budget.pk, **{k: _jsonable(v) for k, v in changed.items()}},
    )
    return project


@transaction.atomic
def budget_project_delete(*, project: BudgetProject, actor: User) -> None:
    budget = project.budget
    _require(actor, "voting.manage", budget.municipality)
    _require_no_budget_ballots(budget)
    audit_record(
        action="voting.project_delete",
        actor=actor,
        municipality=budget.municipality,
        target=project,
        data={"budget": budget.pk, "title_th": project.title_th},
    )
    project.delete()


# --- budgets: the basket and checkout -------------------------------------------------------


def _basket_for_update(budget: Budget, user: User, now: datetime | None) -> BudgetBallot:
    """The person's basket, created on first use and locked for this transaction."""
    reason = closed_reason(budget, now)
    if reason:
        raise ValidationError(reason)
    reason = ineligibility_reason(user=user, target=budget)
    if reason:
        raise PermissionDenied(reason)
    key = voter_key(kind="budget", object_id=budget.pk, user_id=user.pk)
    scope = {"municipality_id": budget.municipality_id, "budget": budget, "voter_key": key}
    ballot = BudgetBallot.objects.select_for_update().filter(**scope).first()
    if ballot is None:
        try:
            with transaction.atomic():
                BudgetBallot.objects.create(**scope)
        except IntegrityError:
            pass  # created a moment ago by a concurrent request of the same person
        ballot = BudgetBallot.objects.select_for_update().get(**scope)
    return ballot


def _require_basket_open(ballot: BudgetBallot) -> None:
    if ballot.checked_out:
        raise ValidationError(_("You have already voted in this budget; your ballot is final."))


@transaction.atomic
def budget_basket_add(
    *, budget: Budget, user: User, project: BudgetProject, now: datetime | None = None
) -> BudgetBallot:
    """Put a project in the basket. Adding one that is already there changes nothing. A
    project that would take the basket over the budget or over the maximum number of projects
    is refused, as Decidim does."""
    if project.budget_id != budget.pk:
        raise ValidationError(_("That project is not part of this budget."))
    ballot = _basket_for_update(budget, user, now)
    _require_basket_open(ballot)
    chosen = selectors.basket_projects(ballot=ballot)
    if any(item.pk == project.pk for item in chosen):
        return ballot
    if budget.max_projects and len(chosen) >= budget.max_projects:
        raise ValidationError(
            _("You may choose at most %(count)s projects.") % {"count": budget.max_projects}
        )
    spent = sum((item.cost for item in chosen), Decimal("0"))
    if spent + project.cost > budget.total:
        raise ValidationError(
            _(
                "This project does not fit: %(left)s baht of the budget are left and it costs %(cost)s baht."
            )
            % {"left": f"{budget.total - spent:,.0f}", "cost": f"{project.cost:,.0f}"}
        )
    BudgetBallotLine.objects.create(
        municipality_id=budget.municipality_id, ballot=ballot, project=project
    )
    return ballot


@transaction.atomic
def budget_basket_remove(
    *, budget: Budget, user: User, project: BudgetProject, now: datetime | None = None
) -> BudgetBallot:
    """Take a project out of the basket; taking out one that is not there changes nothing."""
    if project.budget_id != budget.pk:
        raise ValidationError(_("That project is not part of this budget."))
    ballot = _basket_for_update(budget, user, now)
    _require_basket_open(ballot)
    ballot.lines.filter(project=project).delete()
    return ballot


def checkout_errors(*, budget: Budget, projects: Sequence[BudgetProject]) -> list[str]:
    """What keeps this basket from being a valid ballot under the budget's rules (empty: none)."""
    errors = []
    spent = sum((project.cost for project in projects), Decimal("0"))
    count = len(projects)
    if count == 0:
        errors.append(_("Your basket is empty: choose at least one project."))
    if spent > budget.total:
        errors.append(
            _("The projects you chose cost %(spent)s baht, more than the budget of %(total)s baht.")
            % {"spent": f"{spent:,.0f}", "total": f"{budget.total:,.0f}"}
        )
    if budget.min_spend_percent and spent < budget.min_spend:
        errors.append(
            _(
                "Choose projects worth at least %(percent)s %% of the budget (%(minimum)s baht); your basket holds %(spent)s baht."
            )
            % {
                "percent": budget.min_spend_percent,
                "minimum": f"{budget.min_spend:,.0f}",
                "spent": f"{spent:,.0f}",
            }
        )
    if count and count < budget.min_projects:
        errors.append(_("Choose at least %(count)s projects.") % {"count": budget.min_projects})
    if budget.max_projects and count > budget.max_projects:
        errors.append(_("Choose at most %(count)s projects.") % {"count": budget.max_projects})
    return errors


@transaction.atomic
def budget_checkout(*, budget: Budget, user: User, now: datetime | None = None) -> BudgetBallot:
    """Check the basket against every rule and lock it as the person's ballot. Checking out
    an already checked-out ballot again changes nothing (a double submit)."""
    ballot = _basket_for_update(budget, user, now)
    if ballot.checked_out:
        return ballot
    errors = checkout_errors(budget=budget, projects=selectors.basket_projects(ballot=ballot))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            BudgetParticipation.objects.create(
                municipality_id=budget.municipality_id, budget=budget, user=user
            )
    except IntegrityError:
        # A participation row but an open basket under today's key: the secret changed.
        raise ValidationError(_("You have already voted in this budget.")) from None
    ballot.checked_out = True
    ballot.save(update_fields=["checked_out"])
    return ballot


# --- publishing results -------------------------------------------------------------------


def _accountability_result_create(**kwargs: Any):
    from thesaban.participation.services import accountability_result_create

    return accountability_result_create(**kwargs)


@transaction.atomic
def poll_results_publish(
    *, poll: Poll, actor: User, create_result: bool = False, now: datetime | None = None
) -> Poll:
    """Count the stored ballots after closing and publish the tally (stored, so a recount can
    be compared with it). With `create_result`, the winning option becomes an accountability
    result. Publishing again changes nothing."""
    _require(actor, "voting.publish_results", poll.municipality)
    poll = (
        Poll.objects.select_for_update().select_related("municipality", "process").get(pk=poll.pk)
    )
    if poll.results_published_at is not None:
        return poll
    if not poll.has_closed(now):
        raise ValidationError(_("Results can be published only after voting has closed."))
    result = selectors.poll_tally(poll=poll)
    winner_id = selectors.poll_winner(result)
    if create_result and winner_id is None:
        raise ValidationError(
            _("There is no single winning option (a tie or no votes): no result can be created.")
        )
    poll.published_tally = selectors.poll_tally_json(poll=poll, result=result)
    poll.results_published_at = now or timezone.now()
    poll.save(update_fields=["published_tally", "results_published_at"])
    created = None
    if create_result:
        option = selectors.poll_options(poll=poll).get(pk=winner_id)
        created = _accountability_result_create(
            process=poll.process,
            title_th=option.title_th,
            title_en=option.title_en,
            description_th=option.description_th,
            sources=[option],
            actor=actor,
        )
    audit_record(
        action="voting.poll_publish",
        actor=actor,
        municipality=poll.municipality,
        target=poll,
        data={
            "ballots": poll.published_tally["ballots"],
            "winner": winner_id,
            "result": getattr(created, "pk", None),
        },
    )
    return poll


@transaction.atomic
def budget_results_publish(*, budget: Budget, actor: User, now: datetime | None = None) -> Budget:
    """Count the checked-out ballots after closing, publish the tally and turn every selected
    project into an accountability result (with its cost as budget, linked to the project and
    the proposals it came from). Publishing again changes nothing."""
    _require(actor, "voting.publish_results", budget.municipality)
    budget = (
        Budget.objects.select_for_update()
        .select_related("municipality", "process")
        .get(pk=budget.pk)
    )
    if budget.results_published_at is not None:
        return budget
    if not budget.has_closed(now):
        raise ValidationError(_("Results can be published only after voting has closed."))
    result = selectors.budget_tally(budget=budget)
    budget.published_tally = selectors.budget_tally_json(budget=budget, result=result)
    budget.results_published_at = now or timezone.now()
    budget.save(update_fields=["published_tally", "results_published_at"])
    projects = {project.pk: project for project in selectors.budget_projects(budget=budget)}
    created = []
    for winner in result.winners:
        project = projects[winner.project_id]
        proposals = selectors.proposals_by_number(
            process=budget.process, numbers=project.proposal_numbers or []
        )
        created.append(
            _accountability_result_create(
                process=budget.process,
                title_th=project.title_th,
                title_en=project.title_en,
                description_th=project.description_th,
                budget=project.cost,
                sources=[project, *proposals],
                actor=actor,
            )
        )
    audit_record(
        action="voting.budget_publish",
        actor=actor,
        municipality=budget.municipality,
        target=budget,
        data={
            "ballots": result.ballots,
            "winners": [winner.project_id for winner in result.winners],
            "results": [getattr(item, "pk", None) for item in created],
        },
    )
    return budget
