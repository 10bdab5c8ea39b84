"""The only way views fetch a poll, budget, option or project: through the request's
municipality. Public callers see only what is published (in a published process); anything
else is a 404, exactly like an id that does not exist."""

from django.http import Http404

from thesaban.participation.voting.models import Budget, BudgetProject, Poll, PollOption


def access_poll(*, municipality, poll_id, public: bool = True) -> Poll:
    polls = Poll.objects.select_related("process", "municipality", "community")
    if public:
        polls = polls.filter(is_published=True, process__is_published=True)
    try:
        return polls.get(municipality=municipality, pk=poll_id)
    except (Poll.DoesNotExist, ValueError, TypeError):
        raise Http404("No such poll") from None


def access_budget(*, municipality, budget_id, public: bool = True) -> Budget:
    budgets = Budget.objects.select_related("process", "municipality", "community")
    if public:
        budgets = budgets.filter(is_published=True, process__is_published=True)
    try:
        return budgets.get(municipality=municipality, pk=budget_id)
    except (Budget.DoesNotExist, ValueError, TypeError):
        raise Http404("No such budget") from None


def access_option(*, poll: Poll, option_id) -> PollOption:
    try:
        return PollOption.objects.select_related("poll").get(
            municipality_id=poll.municipality_id, poll=poll, pk=option_id
        )
    except (PollOption.DoesNotExist, ValueError, TypeError):
        raise Http404("No such option") from None


def access_project(*, budget: Budget, project_id) -> BudgetProject:
    try:
        return BudgetProject.objects.select_related("budget").get(
            municipality_id=budget.municipality_id, budget=budget, pk=project_id
        )
    except (BudgetProject.DoesNotExist, ValueError, TypeError):
        raise Http404("No such project") from None
