"""Reads of participation. Public reads never return hidden content's text, authors' accounts
or anyone's contact details: people appear only by the pseudonym they chose."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from thesaban.municipalities.models import Municipality
from thesaban.participation.models import (
    Comment,
    ConsultationDocument,
    Debate,
    DocumentSection,
    Flag,
    Participant,
    Process,
    Proposal,
    ProposalSupport,
    Result,
    ResultSource,
)

PROPOSAL_SORTS = ("supported", "newest", "random")


def process_list(*, municipality: Municipality, include_unpublished: bool = False) -> QuerySet:
    processes = Process.objects.filter(municipality=municipality).prefetch_related("phases")
    if not include_unpublished:
        processes = processes.filter(is_published=True)
    return processes.annotate(proposal_total=Count("proposals", distinct=True))


def access_process(
    *, municipality: Municipality, slug: str, include_unpublished: bool = False
) -> Process:
    processes = Process.objects.filter(municipality=municipality, slug=slug)
    if not include_unpublished:
        processes = processes.filter(is_published=True)
    process = processes.prefetch_related("phases").first()
    if process is None:
        raise Http404("No such process")
    return process


def access_proposal(*, process: Process, number: int) -> Proposal:
    proposal = (
        Proposal.objects.filter(process=process, number=number)
        .select_related("author", "process", "process__municipality")
        .first()
    )
    if proposal is None:
        raise Http404("No such proposal")
    return proposal


def access_debate(*, process: Process, number: int) -> Debate:
    debate = Debate.objects.filter(process=process, number=number).select_related("author").first()
    if debate is None:
        raise Http404("No such debate")
    return debate


def access_document(*, process: Process, slug: str) -> ConsultationDocument:
    document = (
        ConsultationDocument.objects.filter(process=process, slug=slug, is_published=True)
        .prefetch_related("sections")
        .first()
    )
    if document is None:
        raise Http404("No such document")
    return document


def access_section(*, document: ConsultationDocument, section_id: int) -> DocumentSection:
    section = document.sections.filter(pk=section_id).select_related("document__process").first()
    if section is None:
        raise Http404("No such section")
    return section


def access_comment(*, process: Process, comment_id: int) -> Comment:
    comment = (
        Comment.objects.filter(process=process, pk=comment_id)
        .select_related("author", "proposal", "debate", "section")
        .first()
    )
    if comment is None:
        raise Http404("No such comment")
    return comment


def access_result(*, process: Process, number: int) -> Result:
    result = Result.objects.filter(process=process, number=number).first()
    if result is None:
        raise Http404("No such result")
    return result


def access_flag(*, municipality: Municipality, flag_id: int) -> Flag:
    flag = (
        Flag.objects.filter(municipality=municipality, pk=flag_id)
        .select_related("proposal", "debate", "comment")
        .first()
    )
    if flag is None:
        raise Http404("No such flag")
    return flag


def participant_of(*, municipality: Municipality, user) -> Participant | None:
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(municipality=municipality, user=user).first()


def _stable_random_key(seed: str, pk: int) -> str:
    return hashlib.sha256(f"{seed}:{pk}".encode()).hexdigest()


def proposal_list(
    *, process: Process, sort: str = "supported", seed: str = "", topic: str = ""
) -> list[Proposal] | QuerySet:
    """Proposals of a process. `random` is stable for one visitor (their seed) so paging
    does not reshuffle; hidden proposals stay in the list as placeholders."""
    proposals = Proposal.objects.filter(process=process).select_related("author")
    if topic:
        proposals = proposals.filter(topic=topic)
    if sort == "newest":
        return proposals.order_by("-created_at", "-number")
    if sort == "random":
        rows = list(proposals)
        rows.sort(key=lambda p: _stable_random_key(seed, p.pk))
        return rows
    return proposals.order_by("-support_count", "-created_at", "-number")


def supported_ids(*, user, proposals) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(
        ProposalSupport.objects.filter(
            user=user, proposal__in=[p.pk for p in proposals]
        ).values_list("proposal_id", flat=True)
    )


@dataclass
class Thread:
    comment: Comment
    replies: list[Thread]


def comment_threads(**target) -> list[Thread]:
    """The comments of one proposal, debate or section as a tree (at most three levels)."""
    comments = list(
        Comment.objects.filter(**target).select_related("author").order_by("created_at", "pk")
    )
    nodes = {comment.pk: Thread(comment, []) for comment in comments}
    roots: list[Thread] = []
    for comment in comments:
        node = nodes[comment.pk]
        if comment.parent_id and comment.parent_id in nodes:
            nodes[comment.parent_id].replies.append(node)
        else:
            roots.append(node)
    return roots


def alignment_summary(**target) -> dict[str, int]:
    counts = dict(
        Comment.objects.filter(is_hidden=False, **target)
        .values_list("alignment")
        .annotate(n=Count("id"))
    )
    return {key: counts.get(key, 0) for key in Comment.Alignment.values}


def proposals_awaiting_answer(*, municipality: Municipality) -> QuerySet:
    """Proposals that reached their process's threshold and have no answer yet."""
    return (
        Proposal.objects.filter(
            municipality=municipality,
            answer="",
            is_hidden=False,
            process__support_threshold__gt=0,
        )
        .filter(support_count__gte=F("process__support_threshold"))
        .select_related("process")
        .order_by("-support_count")
    )


def moderation_queue(*, municipality: Municipality) -> QuerySet:
    return (
        Flag.objects.filter(municipality=municipality, decision=Flag.Decision.PENDING)
        .select_related("proposal", "debate", "comment", "comment__author")
        .order_by("created_at")
    )


def results_of(*, process: Process) -> QuerySet:
    return Result.objects.filter(process=process).prefetch_related(
        Prefetch("updates"),
        Prefetch("sources", queryset=ResultSource.objects.select_related("content_type")),
    )


def results_for_sources(*, objects) -> dict[tuple[int, str], list[Result]]:
    """For each object (any model), the results that came from it: {(ct_id, pk): [results]}."""
    by_type: dict[int, list[str]] = {}
    for obj in objects:
        ct = ContentType.objects.get_for_model(obj)
        by_type.setdefault(ct.pk, []).append(str(obj.pk))
    if not by_type:
        return {}
    condition = Q()
    for ct_id, ids in by_type.items():
        condition |= Q(content_type_id=ct_id, object_id__in=ids)
    found: dict[tuple[int, str], list[Result]] = {}
    for source in ResultSource.objects.filter(condition).select_related(
        "result", "result__process"
    ):
        found.setdefault((source.content_type_id, source.object_id), []).append(source.result)
    return found


@dataclass
class InputOutcome:
    """One piece of citizen input and what became of it."""

    kind: str
    title: str
    url: str
    said: str  # what residents did: "42 supports", "chosen by 310 votes"
    answer: str  # the municipality's answer, if any
    answer_reason: str
    results: list[Result]


def you_said_we_did(*, municipality: Municipality, limit: int = 200) -> list[InputOutcome]:
    """Every proposal of the municipality's published processes with its answer and results,
    plus any other input (poll options, budget projects, reports) that a result names."""
    proposals = list(
        Proposal.objects.filter(
            municipality=municipality, process__is_published=True, is_hidden=False
        )
        .select_related("process", "process__municipality")
        .order_by("-support_count", "-created_at")[:limit]
    )
    linked = results_for_sources(objects=proposals)
    proposal_ct = ContentType.objects.get_for_model(Proposal)
    outcomes = [
        InputOutcome(
            kind="proposal",
            title=proposal.title,
            url=proposal.get_absolute_url(),
            said=str(proposal.support_count),
            answer=proposal.answer,
            answer_reason=proposal.answer_reason,
            results=linked.get((proposal_ct.pk, str(proposal.pk)), []),
        )
        for proposal in proposals
    ]
    # Other input that results came from (poll options, budget projects, reports...).
    others = (
        ResultSource.objects.filter(municipality=municipality, result__process__is_published=True)
        .exclude(content_type=proposal_ct)
        .select_related("result", "result__process", "content_type")
        .order_by("-created_at")[:limit]
    )
    grouped: dict[tuple[int, str], InputOutcome] = {}
    for source in others:
        key = (source.content_type_id, source.object_id)
        if key not in grouped:
            obj = source.source
            if obj is None:
                continue
            grouped[key] = InputOutcome(
                kind=source.content_type.model,
                title=str(obj),
                url=obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
                said="",
                answer="",
                answer_reason="",
                results=[],
            )
        grouped[key].results.append(source.result)
    return outcomes + list(grouped.values())


def phase_now(process: Process):
    now = timezone.now()
    for phase in process.phases.all():
        if phase.starts_at <= now < phase.ends_at:
            return phase
    return None


def process_panels(*, request, process: Process) -> list[dict]:
    from thesaban.participation.registry import process_panels as registry

    shown = []
    for panel in registry.all():
        context = panel.context(request, process)
        if context is not None:
            shown.append({"key": panel.key, "template": panel.template, "context": context})
    return shown


@dataclass
class SourceLink:
    kind: str
    title: str
    url: str


def result_sources(*, result: Result) -> list[SourceLink]:
    links = []
    for source in result.sources.select_related("content_type"):
        obj = source.source
        if obj is None or getattr(obj, "is_hidden", False):
            continue
        links.append(
            SourceLink(
                kind=str(source.content_type.model_class()._meta.verbose_name),
                title=str(obj),
                url=obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else "",
            )
        )
    return links


def access_phase(*, process: Process, phase_id: int):
    phase = process.phases.filter(pk=phase_id).first()
    if phase is None:
        raise Http404("No such phase")
    return phase
