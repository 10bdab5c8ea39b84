"""The whole permission surface of polls and participatory budgets.

Staff pages: any municipal staff may look; administrators and officers create and edit polls,
budgets, options and projects; only administrators publish results (which also creates the
accountability results). Residents: `voting.vote` says whether this person may vote in this
poll or budget (eligibility only; whether voting is open is `eligibility.closed_reason`).
"""

import rules

from thesaban.accounts.rules import is_administrator, is_officer, is_staff_of_municipality
from thesaban.participation.voting.eligibility import ineligibility_reason


@rules.predicate
def is_eligible_voter(user, target) -> bool:
    return target is not None and ineligibility_reason(user=user, target=target) is None


rules.add_perm("voting.view_staff", is_staff_of_municipality)
rules.add_perm("voting.manage", is_administrator | is_officer)
rules.add_perm("voting.publish_results", is_administrator)
rules.add_perm("voting.vote", is_eligible_voter)
