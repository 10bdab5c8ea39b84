"""Who may vote in a poll or budget, and whether voting is open: one place for both, used by
rules.py (what pages offer) and services.py (what is accepted)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from thesaban.participation.models import Participant, Phase
from thesaban.participation.voting.models import Budget, CommunityCheck, Eligibility, Poll


def phase_action(target: Poll | Budget) -> str:
    return Phase.Action.BUDGET_VOTE if isinstance(target, Budget) else Phase.Action.VOTE


def closed_reason(target: Poll | Budget, now=None) -> str | None:
    """None when votes are accepted now; otherwise why not, in the user's language.

    Voting is open when the poll or budget is published, its process is published, `now` is
    inside its own opening and closing time, and a phase of its process that opens voting
    ("vote" for polls, "budget_vote" for budgets) is running.
    """
    now = now or timezone.now()
    if not target.is_published or not target.process.is_published:
        return _("This vote is not open to the public.")
    if now < target.opens_at:
        return _("Voting has not started yet.")
    if now >= target.closes_at:
        return _("Voting has closed.")
    action = phase_action(target)
    if not any(phase.allows(action, now) for phase in target.process.phases.all()):
        return _("Voting is not open in the current phase of the process.")
    return None


def ineligibility_reason(*, user, target: Poll | Budget) -> str | None:
    """None when `user` may vote in `target`; otherwise why not."""
    if user is None or not user.is_authenticated:
        return _("Sign in to vote.")
    if not user.is_active:
        return _("This account is not active.")
    if target.eligibility == Eligibility.ANY_ACCOUNT:
        return None
    if target.eligibility == Eligibility.VERIFIED:
        if not user.national_id_verified:
            return _("Only residents whose national ID has been verified may vote here.")
        return None
    # Residents of one community, from the person's participant profile.
    participant = (
        Participant.objects.filter(municipality_id=target.municipality_id, user_id=user.pk)
        .only("community_id", "community_verified")
        .first()
    )
    if participant is None or participant.community_id != target.community_id:
        return _(
            "Only residents of %(community)s may vote here. Set your community in your participation profile."
        ) % {"community": target.community.name_th if target.community else ""}
    if target.community_check == CommunityCheck.VERIFIED and not participant.community_verified:
        return _(
            "Only residents whose community has been checked by staff may vote here. A digital centre or the municipality office can check it."
        )
    return None
