"""The polls and budgets of a process, shown on its page (participation's process panels)."""

from thesaban.participation.voting import selectors


def process_votes(request, process) -> dict | None:
    polls = [
        poll
        for poll in selectors.poll_list_public(municipality=process.municipality)
        if poll.process_id == process.pk
    ]
    budgets = [
        budget
        for budget in selectors.budget_list_public(municipality=process.municipality)
        if budget.process_id == process.pk
    ]
    if not polls and not budgets:
        return None
    return {"polls": polls, "budgets": budgets}
