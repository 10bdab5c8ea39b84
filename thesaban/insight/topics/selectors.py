"""Reads for themes in comments. Comments are read as the public reads them: hidden comments,
and comments on hidden proposals or debates, never enter an analysis nor appear as a
representative; people appear only by their pseudonym."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from thesaban.insight.topics.clustering import excerpt
from thesaban.insight.topics.models import TopicAnalysis
from thesaban.participation.models import Comment, DocumentSection, Process

# What the lists of analyses need; the result (which may hold thousands of ids) is left out.
LIST_FIELDS = (
    "id",
    "municipality_id",
    "process_id",
    "section_id",
    "status",
    "progress",
    "n_comments",
    "is_public",
    "created_at",
    "computed_at",
)


def visible_comments(*, process: Process, section: DocumentSection | None = None) -> QuerySet:
    comments = Comment.objects.filter(
        municipality_id=process.municipality_id, process=process, is_hidden=False
    ).filter(
        Q(proposal__isnull=True) | Q(proposal__is_hidden=False),
        Q(debate__isnull=True) | Q(debate__is_hidden=False),
    )
    if section is not None:
        comments = comments.filter(section=section)
    return comments


def comments_for_analysis(
    *, process: Process, section: DocumentSection | None = None
) -> list[tuple[int, str]]:
    """(id, text) of every comment an analysis of this scope reads."""
    return list(visible_comments(process=process, section=section).values_list("pk", "body"))


@dataclass
class Scope:
    """The process as a whole (section None) or one of its document sections."""

    section: DocumentSection | None
    comment_count: int
    latest: TopicAnalysis | None = None
    published: TopicAnalysis | None = None
    history: list[TopicAnalysis] = field(default_factory=list)


def scopes(*, process: Process) -> list[Scope]:
    """The whole process, then each document section, with its comment count and its latest
    and published analyses: three queries whatever the number of sections."""
    sections = list(
        DocumentSection.objects.filter(
            municipality_id=process.municipality_id, document__process=process
        )
        .select_related("document")
        .order_by("document__created_at", "document_id", "order", "pk")
    )
    per_section = dict(
        visible_comments(process=process)
        .filter(section__isnull=False)
        .values_list("section_id")
        .annotate(n=Count("id"))
    )
    total = visible_comments(process=process).count()
    found = [Scope(None, total)] + [Scope(s, per_section.get(s.pk, 0)) for s in sections]
    by_section = {scope.section.pk if scope.section else None: scope for scope in found}
    for analysis in TopicAnalysis.objects.filter(
        municipality_id=process.municipality_id, process=process
    ).only(*LIST_FIELDS):
        scope = by_section.get(analysis.section_id)
        if scope is None:
            continue
        scope.history.append(analysis)  # newest first (Meta.ordering)
        if scope.latest is None:
            scope.latest = analysis
        if analysis.is_public and scope.published is None:
            scope.published = analysis
    return found


def latest_analysis(
    *, process: Process, section: DocumentSection | None = None
) -> TopicAnalysis | None:
    return (
        TopicAnalysis.objects.filter(
            municipality_id=process.municipality_id, process=process, section=section
        )
        .select_related("created_by", "published_by")
        .first()
    )


def published_analyses(*, process: Process) -> list[TopicAnalysis]:
    """What residents may see: the published analysis of the process and of each section of a
    published document, whole process first."""
    analyses = (
        TopicAnalysis.objects.filter(
            municipality_id=process.municipality_id,
            process=process,
            is_public=True,
            status=TopicAnalysis.Status.READY,
        )
        .filter(Q(section__isnull=True) | Q(section__document__is_published=True))
        .select_related("section__document")
        .order_by("section__document_id", "section__order", "section_id", "-published_at")
    )
    shown, seen = [], set()
    for analysis in analyses:
        if analysis.section_id not in seen and analysis.has_themes:
            seen.add(analysis.section_id)
            shown.append(analysis)
    shown.sort(key=lambda analysis: analysis.section_id is not None)
    return shown


@dataclass(frozen=True)
class Representative:
    id: int
    excerpt: str
    author: str  # the pseudonym, or "Anonymous participant"; never a name or contact


@dataclass
class ThemeView:
    number: int
    label: str
    keywords: list[str]
    size: int
    percent: int
    representatives: list[Representative]


def theme_views(
    analyses: list[TopicAnalysis], *, representatives: int = 3
) -> dict[int, list[ThemeView]]:
    """The themes of each analysis, ready for a template, with their representative comments
    read now (one query for all): a comment hidden since the analysis is left out."""
    wanted = {
        item["id"]
        for analysis in analyses
        for theme in analysis.themes
        for item in theme.get("representatives", [])[:representatives]
    }
    comments = {
        comment.pk: comment
        for comment in Comment.objects.filter(pk__in=wanted, is_hidden=False).select_related(
            "author"
        )
    }
    shown: dict[int, list[ThemeView]] = {}
    for analysis in analyses:
        views = []
        for number, theme in enumerate(analysis.themes, start=1):
            chosen = []
            for item in theme.get("representatives", [])[:representatives]:
                comment = comments.get(item["id"])
                if comment is None or comment.municipality_id != analysis.municipality_id:
                    continue
                author = (
                    _("Anonymous participant")
                    if comment.is_anonymous
                    else comment.author.pseudonym or _("Participant")
                )
                chosen.append(Representative(comment.pk, excerpt(comment.body), author))
            views.append(
                ThemeView(
                    number=number,
                    label=theme.get("label", ""),
                    keywords=list(theme.get("keywords", [])),
                    size=int(theme.get("size", 0)),
                    percent=round(100 * float(theme.get("share", 0))),
                    representatives=chosen,
                )
            )
        shown[analysis.pk] = views
    return shown


def process_overview(*, municipality) -> QuerySet:
    """The municipality's processes with how many comments each has (one query)."""
    return (
        Process.objects.filter(municipality=municipality)
        .annotate(comment_total=Count("comments", filter=Q(comments__is_hidden=False)))
        .order_by("-created_at")
    )
