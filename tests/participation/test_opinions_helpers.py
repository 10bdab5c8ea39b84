"""Helpers shared by the opinion-group tests and the tenant-isolation walk (no tests here)."""

from tests.participation.conftest import make_process, make_resident
from thesaban.participation.models import Phase, Process
from thesaban.participation.opinions import services


def make_opinion_process(municipality, *, slug="voices", actions=(Phase.Action.OPINION,), **kw):
    return make_process(municipality, slug=slug, actions=list(actions), **kw)


def seed(process, administrator, *texts):
    return [
        services.statement_seed(process=process, actor=administrator, text=text) for text in texts
    ]


def opinion_objects(municipality, administrator) -> dict[str, int]:
    """A statement in the participation fixture's process "plan" (same slug in every
    municipality), for the URL keyword `statement_id`."""
    process = Process.objects.get(municipality=municipality, slug="plan")
    statement = services.statement_seed(
        process=process, actor=administrator, text=f"ข้อความของ {municipality.slug}"
    )
    return {"statement_id": statement.pk}


__all__ = ["make_opinion_process", "make_resident", "opinion_objects", "seed"]
