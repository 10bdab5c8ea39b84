"""Every write of digital readiness: keyword-only, typed, atomic, audited."""

from __future__ import annotations

import hashlib
import random
import secrets
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.core.audit import audit_record
from thesaban.municipalities.models import Municipality
from thesaban.readiness import evidence as evidence_rules
from thesaban.readiness import instrument, scoring, selectors
from thesaban.readiness.models import (
    Answer,
    Assessment,
    EvidenceFile,
    IndicatorSet,
    Network,
    NetworkMembership,
    Publication,
    SurveyInvitation,
    SurveyResponse,
    SurveyRound,
)
from thesaban.readiness.registry import live_indicators

# --------------------------------------------------------------------------- indicator sets


@transaction.atomic
def indicator_set_publish(
    *, definition: dict[str, Any], actor: Any = None, source: str = "admin"
) -> IndicatorSet:
    """A new version of the instrument; earlier versions (and their scores) stay as they are."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only the platform's administrators may change the indicators."))
    parsed = instrument.parse_definition(definition)
    last = IndicatorSet.objects.select_for_update().aggregate(last=Max("version"))["last"] or 0
    indicator_set = IndicatorSet.objects.create(
        version=last + 1,
        label_th=parsed.label_th,
        label_en=parsed.label_en,
        definition=definition,
        checksum=instrument.checksum(definition),
        source=source[:100],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="readiness.indicator_set_publish",
        actor=actor,
        target=indicator_set,
        data={"version": indicator_set.version, "source": indicator_set.source},
    )
    return indicator_set


def indicator_set_load_files() -> list[IndicatorSet]:
    """Load the project's indicator files that the database does not hold yet (by content)."""
    loaded = []
    for name, data in instrument.definition_files():
        if IndicatorSet.objects.filter(checksum=instrument.checksum(data)).exists():
            continue
        loaded.append(indicator_set_publish(definition=data, source=name))
    return loaded


# --------------------------------------------------------------------------- assessments


def _require_admin(actor: Any, municipality_obj: Any) -> None:
    if not actor or not actor.has_perm("readiness.change_assessment", municipality_obj):
        raise PermissionDenied(_("Only the municipality's administrators may do this."))


@transaction.atomic
def assessment_start(
    *,
    municipality: Municipality,
    actor: Any,
    title: str,
    period_start: date,
    period_end: date,
    indicator_set: IndicatorSet | None = None,
) -> Assessment:
    _require_admin(actor, municipality)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the assessment a title.")})
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period cannot end before it starts.")})
    if (period_end - period_start).days > 3 * 366:
        raise ValidationError({"period_end": _("A period covers at most three years.")})
    indicator_set = indicator_set or selectors.indicator_set_current()
    if indicator_set is None:
        indicator_set_load_files()
        indicator_set = selectors.indicator_set_current()
    definition = instrument.parse_definition(indicator_set.definition)
    assessment = Assessment.objects.create(
        municipality=municipality,
        indicator_set=indicator_set,
        title=title[:200],
        period_start=period_start,
        period_end=period_end,
        created_by=actor,
    )
    Answer.objects.bulk_create(
        Answer(municipality=municipality, assessment=assessment, indicator_code=indicator.code)
        for indicator in definition.indicators
    )
    audit_record(
        action="readiness.assessment_start",
        actor=actor,
        municipality=municipality,
        target=assessment,
        data={"version": indicator_set.version, "title": assessment.title},
    )
    return assessment


def _draft(assessment: Assessment) -> None:
    if assessment.is_completed:
        raise ValidationError(
            _("This assessment is completed; its answers and scores no longer change.")
        )


@transaction.atomic
def assessment_answer_save(
    *,
    assessment: Assessment,
    actor: Any,
    indicator_code: str,
    level: int | None,
    evidence_text: str = "",
    evidence_link: str = "",
    files: list[Any] | None = None,
) -> Answer:
    _require_admin(actor, assessment)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _draft(assessment)
    definition = selectors.definition_of(assessment)
    try:
        indicator = definition.indicator(indicator_code)
    except KeyError:
        raise ValidationError(_("This indicator is not part of the assessment.")) from None
    if indicator.is_live and level is not None:
        raise ValidationError(
            _("“%(question)s” is measured from the platform's data, not chosen."),
            params={"question": indicator.question},
        )
    if level is not None and level not in instrument.LEVELS:
        raise ValidationError({"level": _("Choose a level from 0 to 4.")})
    answer = Answer.objects.get(
        municipality_id=assessment.municipality_id,
        assessment=assessment,
        indicator_code=indicator_code,
    )
    checked = [evidence_rules.check_upload(upload) for upload in files or []]
    if answer.files.count() + len(checked) > evidence_rules.MAX_FILES_PER_ANSWER:
        raise ValidationError(
            _("An indicator keeps at most %(count)s files."),
            params={"count": evidence_rules.MAX_FILES_PER_ANSWER},
        )
    changed = (
        answer.level != level
        or answer.evidence_text != evidence_text
        or answer.evidence_link != evidence_link
        or checked
    )
    if not changed:
        return answer
    answer.level = level
    answer.evidence_text = (evidence_text or "")[:5000]
    answer.evidence_link = evidence_link or ""
    answer.updated_by = actor
    answer.save()
    for item in checked:
        EvidenceFile.objects.create(
            municipality_id=assessment.municipality_id,
            answer=answer,
            name=item.name,
            content_type=item.content_type,
            size=len(item.content),
            sha256=hashlib.sha256(item.content).hexdigest(),
            content=item.content,
            uploaded_by=actor,
        )
    audit_record(
        action="readiness.answer_save",
        actor=actor,
        municipality=assessment.municipality,
        target=answer,
        data={
            "indicator": indicator_code,
            "level": level,
            "files": [item.name for item in checked],
        },
    )
    return answer


@transaction.atomic
def assessment_answers_save(
    *, assessment: Assessment, actor: Any, answers: list[dict[str, Any]]
) -> list[Answer]:
    """Several indicators at once (the assessment form): all saved, or none.

    A ValidationError carries one message per indicator code that was refused."""
    saved, problems = [], {}
    for item in answers:
        try:
            with transaction.atomic():
                saved.append(assessment_answer_save(assessment=assessment, actor=actor, **item))
        except ValidationError as error:
            problems[item["indicator_code"]] = error.messages
    if problems:
        raise ValidationError(problems)
    return saved


@transaction.atomic
def evidence_file_delete(*, evidence: EvidenceFile, actor: Any) -> None:
    _require_admin(actor, evidence)
    _draft(evidence.answer.assessment)
    audit_record(
        action="readiness.evidence_delete",
        actor=actor,
        municipality=evidence.answer.assessment.municipality,
        target=evidence,
        data={"name": evidence.name, "indicator": evidence.answer.indicator_code},
    )
    evidence.delete()


def measure_live(
    *, municipality: Municipality, definition: instrument.Definition, period: tuple[date, date]
) -> dict[str, dict[str, Any] | None]:
    """Each live indicator's measurement for the period, with its level; None when the figure
    has no data or no app has registered the measure yet."""
    results: dict[str, dict[str, Any] | None] = {}
    for indicator in definition.indicators:
        if not indicator.is_live:
            continue
        entry = live_indicators.get(indicator.measure)
        if entry is None:
            results[indicator.code] = None
            continue
        measurement = entry.function(municipality, *period)
        if measurement is None:
            results[indicator.code] = {"available": True, "value": None}
            continue
        results[indicator.code] = {
            "available": True,
            **measurement.as_dict(),
            "level": scoring.live_level(measurement.value, indicator),
            "unit": entry.unit,
            "formula_en": _formula(entry.formula, "en"),
            "formula_th": _formula(entry.formula, "th"),
        }
    return results


def _formula(text: Any, language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return str(text)


@transaction.atomic
def assessment_complete(
    *, assessment: Assessment, actor: Any, now: datetime | None = None
) -> Assessment:
    """Measure the live indicators for the period, score everything and freeze the result."""
    _require_admin(actor, assessment)
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _draft(assessment)
    definition = selectors.definition_of(assessment)
    answers = {
        a.indicator_code: a
        for a in Answer.objects.filter(
            municipality_id=assessment.municipality_id, assessment=assessment
        )
    }
    missing = [
        indicator.question
        for indicator in definition.indicators
        if not indicator.is_live and answers[indicator.code].level is None
    ]
    if missing:
        raise ValidationError(
            _("Choose a level for every self-assessed indicator first. Missing: %(missing)s"),
            params={"missing": "; ".join(missing)},
        )
    live = measure_live(
        municipality=assessment.municipality,
        definition=definition,
        period=(assessment.period_start, assessment.period_end),
    )
    levels: dict[str, int | None] = {}
    for indicator in definition.indicators:
        answer = answers[indicator.code]
        if indicator.is_live:
            snapshot = live[indicator.code]
            answer.measurement = (
                {"available": False} if snapshot is None else {**snapshot, "measured_at": str(now)}
            )
            answer.level = snapshot.get("level") if snapshot else None
            answer.save(update_fields=["measurement", "level", "updated_at"])
        levels[indicator.code] = answer.level
    scores = scoring.compute_scores(definition, levels)
    assessment.scores = scores.as_dict()
    assessment.dmi_score = scores.dmi
    assessment.maturity = scores.maturity or ""
    assessment.status = Assessment.Status.COMPLETED
    assessment.completed_by = actor
    assessment.completed_at = now or timezone.now()
    assessment.save()
    audit_record(
        action="readiness.assessment_complete",
        actor=actor,
        municipality=assessment.municipality,
        target=assessment,
        data={"dmi": scores.dmi, "maturity": scores.maturity},
    )
    return assessment


# --------------------------------------------------------------------------- publication


@transaction.atomic
def publication_set(*, municipality: Municipality, actor: Any, results_public: bool) -> Publication:
    if not actor or not actor.has_perm("readiness.change_publication", municipality):
        raise PermissionDenied(_("Only the municipality's administrators may do this."))
    publication, _created = Publication.objects.select_for_update().get_or_create(
        municipality=municipality
    )
    if publication.results_public != results_public or _created:
        publication.results_public = results_public
        publication.updated_by = actor
        publication.save()
        audit_record(
            action="readiness.publication_set",
            actor=actor,
            municipality=municipality,
            target=publication,
            data={"results_public": results_public},
        )
    return publication


# --------------------------------------------------------------------------- networks


@transaction.atomic
def network_save(
    *,
    slug: str,
    name_th: str,
    name_en: str,
    kind: str = Network.Kind.GROUP,
    description_th: str = "",
    description_en: str = "",
    actor: Any = None,
) -> Network:
    """Create or update a network (platform administrators, the admin site or the demo)."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only the platform's administrators may manage networks."))
    values = {
        "name_th": name_th,
        "name_en": name_en,
        "kind": kind,
        "description_th": description_th,
        "description_en": description_en,
    }
    network = Network.objects.select_for_update().filter(slug=slug).first()
    created = network is None
    if network is not None and all(getattr(network, k) == v for k, v in values.items()):
        return network  # nothing to change: nothing to record (the demo loader runs often)
    network, created = Network.objects.update_or_create(slug=slug, defaults=values)
    audit_record(
        action="readiness.network_save",
        actor=actor,
        target=network,
        data={"slug": slug, "created": created},
    )
    return network


@transaction.atomic
def network_member_add(
    *, network: Network, municipality: Municipality, actor: Any = None
) -> NetworkMembership:
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only the platform's administrators may manage networks."))
    membership, created = NetworkMembership.objects.get_or_create(
        municipality=municipality, network=network
    )
    if created:
        audit_record(
            action="readiness.network_member_add",
            actor=actor,
            municipality=municipality,
            target=membership,
            data={"network": network.slug},
        )
    return membership


# --------------------------------------------------------------------------- survey


def stratified_sample(
    frame: dict[str, list[int]], sample_size: int, seed: int
) -> dict[str, list[int]]:
    """A stratified random sample with proportional allocation (largest remainder).

    `frame` maps a stratum (a community code, "" for none) to its members' ids. Each stratum
    gets `sample_size × its share of the frame`, rounded down; the seats left go to the
    strata with the largest remainders (ties: the larger stratum, then the code). Members are
    then drawn at random within each stratum with `random.Random(seed)`, strata in code order,
    from their ids in ascending order, so anyone with the seed can repeat the draw.
    """
    total = sum(len(members) for members in frame.values())
    sample_size = min(sample_size, total)
    if not total or sample_size <= 0:
        return {stratum: [] for stratum in frame}
    quotas: dict[str, int] = {}
    remainders = []
    for stratum, members in frame.items():
        exact = sample_size * len(members) / total
        quotas[stratum] = int(exact)
        remainders.append((exact - int(exact), len(members), stratum))
    left = sample_size - sum(quotas.values())
    for _rest, _size, stratum in sorted(remainders, key=lambda r: (-r[0], -r[1], r[2]))[:left]:
        quotas[stratum] += 1
    rng = random.Random(seed)
    return {
        stratum: sorted(rng.sample(sorted(frame[stratum]), quotas[stratum]))
        for stratum in sorted(frame)
    }


@transaction.atomic
def survey_round_start(
    *,
    municipality: Municipality,
    actor: Any,
    title: str,
    opens_on: date,
    closes_on: date,
    sample_size: int,
    seed: int | None = None,
) -> SurveyRound:
    """Open a round and invite a stratified random sample of the municipality's residents."""
    if not actor or not actor.has_perm("readiness.manage_survey", municipality):
        raise PermissionDenied(_("Only the municipality's administrators may do this."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Give the survey round a title.")})
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("The round cannot close before it opens.")})
    if sample_size < 1:
        raise ValidationError({"sample_size": _("Invite at least one resident.")})
    frame = selectors.survey_frame(municipality=municipality, until=opens_on)
    if not any(frame.values()):
        raise ValidationError(
            _(
                "No resident has taken part in the last twelve months, so there is nobody to "
                "invite yet."
            )
        )
    seed = seed if seed is not None else secrets.randbits(48)
    drawn = stratified_sample(
        {stratum: list(members) for stratum, members in frame.items()}, sample_size, seed
    )
    indicator_set = selectors.indicator_set_current()
    definition = instrument.parse_definition(indicator_set.definition)
    survey_round = SurveyRound.objects.create(
        municipality=municipality,
        title=title[:200],
        opens_on=opens_on,
        closes_on=closes_on,
        items=[
            {
                "code": item.code,
                "construct": item.construct,
                "text_th": item.text_th,
                "text_en": item.text_en,
            }
            for item in definition.survey_items
        ],
        scale={"th": list(definition.scale_th), "en": list(definition.scale_en)},
        sample_size=sum(len(ids) for ids in drawn.values()),
        frame_size=sum(len(members) for members in frame.values()),
        seed=seed,
        strata=[
            {"community": stratum, "frame": len(frame[stratum]), "invited": len(drawn[stratum])}
            for stratum in sorted(frame)
        ],
        created_by=actor,
    )
    communities = selectors.community_ids_by_code(municipality=municipality)
    SurveyInvitation.objects.bulk_create(
        SurveyInvitation(
            municipality=municipality,
            round=survey_round,
            user_id=user_id,
            community_id=communities.get(stratum),
        )
        for stratum, ids in drawn.items()
        for user_id in ids
    )
    audit_record(
        action="readiness.survey_round_start",
        actor=actor,
        municipality=municipality,
        target=survey_round,
        data={
            "sample_size": survey_round.sample_size,
            "frame_size": survey_round.frame_size,
            "seed": seed,
        },
    )
    from thesaban.readiness import notifications

    round_id = survey_round.pk
    transaction.on_commit(lambda: notifications.send_survey_invitations.enqueue(round_id))
    return survey_round


@transaction.atomic
def survey_round_close(*, survey_round: SurveyRound, actor: Any) -> SurveyRound:
    if not actor or not actor.has_perm("readiness.manage_survey", survey_round):
        raise PermissionDenied(_("Only the municipality's administrators may do this."))
    if survey_round.status != SurveyRound.Status.CLOSED:
        survey_round.status = SurveyRound.Status.CLOSED
        survey_round.save(update_fields=["status"])
        audit_record(
            action="readiness.survey_round_close",
            actor=actor,
            municipality=survey_round.municipality,
            target=survey_round,
        )
    return survey_round


@transaction.atomic
def survey_response_submit(
    *, survey_round: SurveyRound, user: Any, answers: dict[str, int], now: datetime | None = None
) -> SurveyResponse:
    """A sampled resident's answers. Sending the same answers again returns the first response;
    different answers for a round already answered are refused."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    invitation = SurveyInvitation.objects.filter(
        municipality_id=survey_round.municipality_id, round=survey_round, user_id=user.pk
    ).first()
    if invitation is None:
        raise PermissionDenied(_("This survey round is answered only by the residents invited."))
    existing = SurveyResponse.objects.filter(
        municipality_id=survey_round.municipality_id, round=survey_round, respondent_id=user.pk
    ).first()
    codes = [item["code"] for item in survey_round.items]
    if existing is not None:
        if existing.answers == {code: answers.get(code) for code in codes}:
            return existing
        raise ValidationError(_("You have already answered this survey round. Thank you!"))
    if survey_round.status != SurveyRound.Status.OPEN or not (
        survey_round.opens_on <= today <= survey_round.closes_on
    ):
        raise ValidationError(_("This survey round is not open."))
    problems = {
        code: _("Choose an answer from 1 to 5.")
        for code in codes
        if not isinstance(answers.get(code), int) or not 1 <= answers[code] <= 5
    }
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            response = SurveyResponse.objects.create(
                municipality_id=survey_round.municipality_id,
                round=survey_round,
                respondent_id=user.pk,
                community_id=invitation.community_id,
                answers={code: answers[code] for code in codes},
                submitted_at=now,
            )
    except IntegrityError:
        raise ValidationError(
            _("You have already answered this survey round. Thank you!")
        ) from None
    # The answers are not put in the audit log: only that the resident took part.
    audit_record(
        action="readiness.survey_response",
        actor=user,
        municipality=survey_round.municipality,
        target=survey_round,
    )
    return response
