"""Writes for themes in comments: request an analysis (computed by a background task),
run it, publish or withdraw it. Nothing here changes a comment or a proposal: the themes are a
machine summary for people to read, marked as such wherever they are shown."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.core.audit import audit_record
from thesaban.insight.topics import clustering, selectors
from thesaban.insight.topics.models import TopicAnalysis
from thesaban.participation.models import DocumentSection, Process

logger = logging.getLogger(__name__)

# A queued or running analysis younger than this is not started twice; an older one is taken
# for a worker that died, and a new request replaces it.
STALE_AFTER = timedelta(minutes=15)


def _require(actor: Any, permission: str, municipality) -> None:
    if actor is not None and not actor.has_perm(permission, municipality):
        raise PermissionDenied(_("Your staff role does not allow this."))


@transaction.atomic
def topic_analysis_request(
    *,
    process: Process,
    section: DocumentSection | None = None,
    actor: Any = None,
    seed: int = clustering.DEFAULT_SEED,
    parameters: clustering.Parameters | None = None,
    enqueue: bool = True,
) -> TopicAnalysis:
    """Queue a new analysis of the process's comments (or one section's). `actor=None` is the
    system (the demo loader); `enqueue=False` leaves running it to the caller."""
    municipality = process.municipality
    _require(actor, "topics.compute", municipality)
    if section is not None and (
        section.municipality_id != process.municipality_id
        or section.document.process_id != process.pk
    ):
        raise ValidationError(_("This section is not part of this process."))
    Process.objects.select_for_update().filter(pk=process.pk).first()  # one request at a time
    pending = (
        TopicAnalysis.objects.filter(
            municipality=municipality,
            process=process,
            section=section,
            status__in=[TopicAnalysis.Status.QUEUED, TopicAnalysis.Status.RUNNING],
            created_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        return pending
    parameters = parameters or clustering.Parameters()
    analysis = TopicAnalysis.objects.create(
        municipality=municipality,
        process=process,
        section=section,
        seed=seed,
        parameters=parameters.as_dict(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        action="topics.request",
        actor=actor,
        municipality=municipality,
        target=analysis,
        data={"process": process.pk, "section": section.pk if section else None},
    )
    if enqueue:
        from thesaban.insight.topics import tasks

        analysis_id = analysis.pk
        transaction.on_commit(lambda: tasks.run_topic_analysis.enqueue(analysis_id=analysis_id))
    return analysis


def topic_analysis_run(*, analysis_id: int) -> TopicAnalysis:
    """Compute a queued analysis. Deliberately not one transaction: the progress it writes
    must be visible to the staff page while it runs. Each write is a single UPDATE."""
    analysis = TopicAnalysis.objects.select_related("process", "section").get(pk=analysis_id)
    if analysis.status != TopicAnalysis.Status.QUEUED:
        return analysis  # a retried task finds it already handled
    claimed = TopicAnalysis.objects.filter(
        pk=analysis.pk, status=TopicAnalysis.Status.QUEUED
    ).update(status=TopicAnalysis.Status.RUNNING, started_at=timezone.now(), progress=0)
    if not claimed:
        return analysis
    shown = {"progress": -1}

    def progress(percent: int, stage: str) -> None:
        percent = max(0, min(99, int(percent)))
        if percent >= shown["progress"] + 5 or stage != "tokenise":
            shown["progress"] = percent
            TopicAnalysis.objects.filter(pk=analysis.pk).update(progress=percent, stage=stage)

    try:
        comments = selectors.comments_for_analysis(
            process=analysis.process, section=analysis.section
        )
        found = clustering.cluster_comments(
            comments,
            seed=analysis.seed,
            parameters=clustering.Parameters.from_dict(analysis.parameters),
            progress=progress,
        )
    except Exception as error:  # a failed analysis says so on the page; the worker goes on
        logger.exception("topic analysis %s failed", analysis.pk)
        TopicAnalysis.objects.filter(pk=analysis.pk).update(
            status=TopicAnalysis.Status.FAILED, error=str(error)[:500], computed_at=timezone.now()
        )
    else:
        TopicAnalysis.objects.filter(pk=analysis.pk).update(
            status=TopicAnalysis.Status.READY,
            progress=100,
            stage="done",
            result=found.as_dict(),
            input_fingerprint=found.fingerprint,
            n_comments=found.n_comments,
            computed_at=timezone.now(),
        )
    analysis.refresh_from_db()
    return analysis


@transaction.atomic
def topic_analysis_publish(
    *, analysis: TopicAnalysis, actor: Any, public: bool = True
) -> TopicAnalysis:
    """Show (or stop showing) an analysis on the process page. One analysis per scope is
    public at a time: publishing this one withdraws the scope's earlier one."""
    _require(actor, "topics.publish", analysis.municipality)
    analysis = TopicAnalysis.objects.select_for_update().get(pk=analysis.pk)
    if public and not analysis.has_themes:
        raise ValidationError(_("Only a finished analysis with themes can be published."))
    if public:
        TopicAnalysis.objects.filter(
            municipality_id=analysis.municipality_id,
            process_id=analysis.process_id,
            section_id=analysis.section_id,
            is_public=True,
        ).exclude(pk=analysis.pk).update(is_public=False)
        analysis.is_public = True
        analysis.published_by = actor if getattr(actor, "is_authenticated", False) else None
        analysis.published_at = timezone.now()
    else:
        analysis.is_public = False
    analysis.save(update_fields=["is_public", "published_by", "published_at"])
    audit_record(
        action="topics.publish" if public else "topics.unpublish",
        actor=actor,
        municipality=analysis.municipality,
        target=analysis,
        data={"process": analysis.process_id, "section": analysis.section_id},
    )
    return analysis
