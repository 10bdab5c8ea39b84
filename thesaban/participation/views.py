"""Public participation pages: processes, proposals, debates, consultations, results and the
"you said, we did" page. Every page works without JavaScript; writes are POST forms that
redirect back (PRG), and a service's ValidationError becomes a message on the page."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thesaban.municipalities.selectors import community_list
from thesaban.participation import selectors, services
from thesaban.participation.forms import (
    CommentForm,
    DebateForm,
    FlagForm,
    ParticipantForm,
    PositionForm,
    ProposalForm,
)
from thesaban.participation.models import Comment, Phase, Topic

PAGE_SIZE = 20
RANDOM_SEED_SESSION = "participation_random_seed"


def _errors(request: HttpRequest, error: ValidationError | PermissionDenied) -> None:
    for message in getattr(error, "messages", None) or [str(error)]:
        messages.error(request, message)


def _process(request: HttpRequest, process: str):
    return selectors.access_process(municipality=request.municipality, slug=process)


def _process_url(process, name: str = "process", **kwargs) -> str:
    return reverse(
        f"participation:{name}",
        kwargs={"municipality": process.municipality.slug, "process": process.slug, **kwargs},
    )


def _login_first(request: HttpRequest, back: str) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    return None


@require_GET
def process_list(request: HttpRequest) -> HttpResponse:
    processes = list(selectors.process_list(municipality=request.municipality))
    for process in processes:
        process.phase_now = selectors.phase_now(process)
    return render(request, "participation/process_list.html", {"processes": processes})


@require_GET
def process_detail(request: HttpRequest, process: str) -> HttpResponse:
    process = _process(request, process)
    phase = selectors.phase_now(process)
    top = list(selectors.proposal_list(process=process)[:5])
    return render(
        request,
        "participation/process_detail.html",
        {
            "process": process,
            "phase": phase,
            "phases": list(process.phases.all()),
            "top_proposals": top,
            "debates": list(process.debates.order_by("-created_at")[:5]),
            "documents": list(process.documents.filter(is_published=True)),
            "results": list(selectors.results_of(process=process)),
            "panels": selectors.process_panels(request=request, process=process),
            "can": _actions(phase),
        },
    )


def _actions(phase: Phase | None) -> dict[str, bool]:
    return {action: bool(phase and phase.allows(action)) for action in Phase.Action.values}


@require_GET
def proposal_list(request: HttpRequest, process: str) -> HttpResponse:
    process = _process(request, process)
    sort = request.GET.get("sort", "supported")
    if sort not in selectors.PROPOSAL_SORTS:
        sort = "supported"
    topic = request.GET.get("topic", "")
    if topic not in Topic.values:
        topic = ""
    seed = request.session.get(RANDOM_SEED_SESSION)
    if seed is None:
        seed = request.session[RANDOM_SEED_SESSION] = secrets.token_hex(8)
    proposals = selectors.proposal_list(process=process, sort=sort, seed=seed, topic=topic)
    page = Paginator(proposals, PAGE_SIZE).get_page(request.GET.get("page"))
    phase = selectors.phase_now(process)
    return render(
        request,
        "participation/proposal_list.html",
        {
            "process": process,
            "page": page,
            "sort": sort,
            "topic": topic,
            "topics": Topic.choices,
            "supported": selectors.supported_ids(user=request.user, proposals=page.object_list),
            "can": _actions(phase),
        },
    )


@require_http_methods(["GET", "POST"])
def proposal_new(request: HttpRequest, process: str) -> HttpResponse:
    process = _process(request, process)
    back = _process_url(process, "proposal_new")
    if response := _login_first(request, back):
        return response
    form = ProposalForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        allows_anonymous=process.allows_anonymous,
        initial={"idempotency_key": secrets.token_urlsafe(24)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_create(
                process=process,
                user=request.user,
                title=data["title"],
                body=data["body"],
                topic=data["topic"],
                lat=data["lat"],
                lng=data["lng"],
                address=data["address"],
                image=data["image"],
                is_anonymous=data.get("is_anonymous", False),
                idempotency_key=data["idempotency_key"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you: your proposal is published."))
            return redirect(proposal.get_absolute_url())
    participant = selectors.participant_of(municipality=request.municipality, user=request.user)
    return render(
        request,
        "participation/proposal_form.html",
        {"process": process, "form": form, "participant": participant},
    )


def _thread_context(request: HttpRequest, process, **target) -> dict:
    return {
        "threads": selectors.comment_threads(**target),
        "alignment": selectors.alignment_summary(**target),
        "comment_form": CommentForm(
            allows_anonymous=process.allows_anonymous,
            initial={"idempotency_key": secrets.token_urlsafe(24)},
        ),
        "max_depth": Comment.MAX_DEPTH,
        "alignments": Comment.Alignment.choices,
        "participant": selectors.participant_of(
            municipality=request.municipality, user=request.user
        ),
    }


@require_GET
def proposal_detail(request: HttpRequest, process: str, number: int) -> HttpResponse:
    process = _process(request, process)
    proposal = selectors.access_proposal(process=process, number=number)
    phase = selectors.phase_now(process)
    linked = selectors.results_for_sources(objects=[proposal])
    return render(
        request,
        "participation/proposal_detail.html",
        {
            "process": process,
            "proposal": proposal,
            "supported": proposal.pk
            in selectors.supported_ids(user=request.user, proposals=[proposal]),
            "results": next(iter(linked.values()), []),
            "can": _actions(phase),
            "can_comment": bool(phase and phase.allows(Phase.Action.COMMENT)),
            "comment_url": _process_url(process, "proposal_comment", number=number),
            **_thread_context(request, process, proposal=proposal),
        },
    )


@require_POST
def proposal_support(request: HttpRequest, process: str, number: int) -> HttpResponse:
    process = _process(request, process)
    proposal = selectors.access_proposal(process=process, number=number)
    if response := _login_first(request, proposal.get_absolute_url()):
        return response
    try:
        counted = services.proposal_support(proposal=proposal, user=request.user)
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
    else:
        if counted:
            messages.success(request, _("Your support is counted."))
        else:
            messages.info(request, _("You already support this proposal."))
    return redirect(proposal.get_absolute_url() + "#support")


def _comment(request: HttpRequest, process, target, back: str) -> HttpResponse:
    if response := _login_first(request, back):
        return response
    form = CommentForm(request.POST, allows_anonymous=process.allows_anonymous)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect(back + "#comments")
    data = form.cleaned_data
    parent = None
    if data["parent"]:
        parent = selectors.access_comment(process=process, comment_id=data["parent"])
    try:
        comment = services.comment_create(
            target=target,
            user=request.user,
            body=data["body"],
            alignment=data["alignment"],
            parent=parent,
            is_anonymous=data.get("is_anonymous", False),
            idempotency_key=data["idempotency_key"],
        )
    except (ValidationError, PermissionDenied) as error:
        _errors(request, error)
        return redirect(back + "#comments")
    messages.success(request, _("Your comment is published."))
    return redirect(f"{back}#comment-{comment.pk}")


@require_POST
def proposal_comment(request: HttpRequest, process: str, number: int) -> HttpResponse:
    process = _process(request, process)
    proposal = selectors.access_proposal(process=process, number=number)
    return _comment(request, process, proposal, proposal.get_absolute_url())


@require_POST
def comment_upvote(request: HttpRequest, process: str, comment_id: int) -> HttpResponse:
    process = _process(request, process)
    comment = selectors.access_comment(process=process, comment_id=comment_id)
    back = _comment_back(process, comment)
    if response := _login_first(request, back):
        return response
    try:
        services.comment_upvote(comment=comment, user=request.user)
    except ValidationError as error:
        _errors(request, error)
    return redirect(f"{back}#comment-{comment.pk}")


def _comment_back(process, comment: Comment) -> str:
    if comment.proposal_id:
        return comment.proposal.get_absolute_url()
    if comment.debate_id:
        return _process_url(process, "debate", number=comment.debate.number)
    section = comment.section
    return _process_url(process, "document", document=section.document.slug) + (
        f"#section-{section.pk}"
    )


@require_http_methods(["GET", "POST"])
def flag(request: HttpRequest, process: str, kind: str, object_id: int) -> HttpResponse:
    process = _process(request, process)
    if kind == "proposal":
        target = selectors.access_proposal(process=process, number=object_id)
        back = target.get_absolute_url()
    elif kind == "debate":
        target = selectors.access_debate(process=process, number=object_id)
        back = _process_url(process, "debate", number=object_id)
    elif kind == "comment":
        target = selectors.access_comment(process=process, comment_id=object_id)
        back = _comment_back(process, target)
    else:
        raise Http404("Nothing of that kind")
    if response := _login_first(request, back):
        return response
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.flag_create(
                target=target,
                user=request.user,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            _errors(request, error)
        else:
            messages.success(request, _("Thank you: a moderator will look at it."))
            return redirect(back)
    return render(
        request,
        "participation/flag_form.html",
        {"process": process, "form": form, "back": back, "target": target},
    )


@require_GET
def debate_list(request: HttpRequest, process: str) -> HttpResponse:
    process = _process(request, process)
    page = Paginator(process.debates.select_related("author").order_by("-created_at"), PAGE_SIZE)
    return render(
        request,
        "participation/debate_list.html",
        {
            "process": process,
            "page": page.get_page(request.GET.get("page")),
            "can": _actions(selectors.phase_now(process)),
        },
    )


@require_http_methods(["GET", "POST"])
def debate_new(request: HttpRequest, process: str) -> HttpResponse:
    process = _process(request, process)
    if response := _login_first(request, _process_url(process, "debate_new")):
        return response
    form = DebateForm(
        request.POST if request.method == "POST" else None,
        allows_anonymous=process.allows_anonymous,
    )
    if request.method == "POST" and form.is_valid():
        try:
            debate = services.debate_create(
                process=process,
                user=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                is_anonymous=form.cleaned_data.get("is_anonymous", False),
            )
        except (ValidationError, PermissionDenied) as error:
            for message in getattr(error, "messages", [str(error)]):
                form.add_error(None, message)
        else:
            return redirect(_process_url(process, "debate", number=debate.number))
    return render(request, "participation/debate_form.html", {"process": process, "form": form})


@require_GET
def debate_detail(request: HttpRequest, process: str, number: int) -> HttpResponse:
    process = _process(request, process)
    debate = selectors.access_debate(process=process, number=number)
    return render(
        request,
        "participation/debate_detail.html",
        {
            "process": process,
            "debate": debate,
            "can": _actions(selectors.phase_now(process)),
            "can_comment": _actions(selectors.phase_now(process))[Phase.Action.COMMENT],
            "comment_url": _process_url(process, "debate_comment", number=number),
            **_thread_context(request, process, debate=debate),
        },
    )


@require_POST
def debate_comment(request: HttpRequest, process: str, number: int) -> HttpResponse:
    process = _process(request, process)
    debate = selectors.access_debate(process=process, number=number)
    return _comment(request, process, debate, _process_url(process, "debate", number=number))


@require_GET
def document_detail(request: HttpRequest, process: str, document: str) -> HttpResponse:
    process = _process(request, process)
    document = selectors.access_document(process=process, slug=document)
    sections = []
    for section in document.sections.all():
        sections.append(
            {
                "section": section,
                "comment_url": _process_url(
                    process, "section_comment", document=document.slug, section_id=section.pk
                ),
                "position_url": _process_url(
                    process, "section_position", document=document.slug, section_id=section.pk
                ),
                **_thread_context(request, process, section=section),
            }
        )
    return render(
        request,
        "participation/document_detail.html",
        {
            "process": process,
            "document": document,
            "sections": sections,
            "can": _actions(selectors.phase_now(process)),
            "can_comment": _actions(selectors.phase_now(process))[Phase.Action.CONSULT],
        },
    )


@require_POST
def section_position(request: HttpRequest, process: str, document: str, section_id: int):
    process = _process(request, process)
    document = selectors.access_document(process=process, slug=document)
    section = selectors.access_section(document=document, section_id=section_id)
    back = _process_url(process, "document", document=document.slug)
    if response := _login_first(request, back):
        return response
    form = PositionForm(request.POST)
    if form.is_valid():
        try:
            services.section_position_set(
                section=section, user=request.user, stance=form.cleaned_data["stance"]
            )
        except (ValidationError, PermissionDenied) as error:
            _errors(request, error)
        else:
            messages.success(request, _("Your position is recorded."))
    return redirect(f"{back}#section-{section.pk}")


@require_POST
def section_comment(request: HttpRequest, process: str, document: str, section_id: int):
    process = _process(request, process)
    document = selectors.access_document(process=process, slug=document)
    section = selectors.access_section(document=document, section_id=section_id)
    back = _process_url(process, "document", document=document.slug)
    return _comment(request, process, section, back)


@require_GET
def result_detail(request: HttpRequest, process: str, number: int) -> HttpResponse:
    process = _process(request, process)
    result = selectors.access_result(process=process, number=number)
    return render(
        request,
        "participation/result_detail.html",
        {
            "process": process,
            "result": result,
            "updates": list(result.updates.all()),
            "sources": selectors.result_sources(result=result),
        },
    )


@require_GET
def you_said_we_did(request: HttpRequest) -> HttpResponse:
    outcomes = selectors.you_said_we_did(municipality=request.municipality)
    return render(request, "participation/you_said_we_did.html", {"outcomes": outcomes})


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    back = reverse("participation:profile", kwargs={"municipality": request.municipality.slug})
    if response := _login_first(request, back):
        return response
    participant = services.participant_get_or_create(
        municipality=request.municipality, user=request.user
    )
    communities = list(community_list(municipality=request.municipality))
    form = ParticipantForm(
        request.POST if request.method == "POST" else None,
        communities=communities,
        initial={"pseudonym": participant.pseudonym, "community": participant.community_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.participant_update(
                participant=participant,
                pseudonym=form.cleaned_data["pseudonym"],
                community=form.cleaned_data["community"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Your participation profile is saved."))
            target = request.GET.get("next", "")
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = back
            return redirect(target or back)
    return render(request, "participation/profile.html", {"form": form, "participant": participant})
