"""The whole permission surface of opinion groups.

Residents: `opinions.vote` and `opinions.add_statement` pass for a signed-in person when the
process (the object) is published and has a phase open now with the "opinion" action.
Services check the same and say why when it fails. Staff: any staff may look at the staff
pages; administrators and officers moderate, seed statements and recompute the map.
"""

import rules

from thesaban.accounts.rules import is_administrator, is_officer, is_staff_of_municipality


@rules.predicate
def opinion_phase_open(user, process) -> bool:
    from thesaban.participation.models import Phase

    if process is None or not getattr(process, "is_published", False):
        return False
    return any(phase.allows(Phase.Action.OPINION) for phase in process.phases.all())


rules.add_perm("opinions.vote", rules.is_authenticated & opinion_phase_open)
rules.add_perm("opinions.add_statement", rules.is_authenticated & opinion_phase_open)
rules.add_perm("opinions.view_staff", is_staff_of_municipality)
rules.add_perm("opinions.moderate", is_administrator | is_officer)
