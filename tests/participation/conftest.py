from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from thesaban.participation.models import Phase, Process
from thesaban.participation.services import participant_get_or_create, participant_update

ALL_ACTIONS = [
    Phase.Action.PROPOSE,
    Phase.Action.SUPPORT,
    Phase.Action.COMMENT,
    Phase.Action.DEBATE,
    Phase.Action.CONSULT,
]


def make_process(municipality, *, slug="plan-2570", actions=ALL_ACTIONS, **fields):
    process = Process.objects.create(
        municipality=municipality,
        slug=slug,
        kind=fields.pop("kind", Process.Kind.DEVELOPMENT_PLAN),
        title_th=fields.pop("title_th", "แผนพัฒนาท้องถิ่น 2570"),
        title_en=fields.pop("title_en", "Local development plan 2027"),
        is_published=fields.pop("is_published", True),
        **fields,
    )
    now = timezone.now()
    Phase.objects.create(
        municipality=municipality,
        process=process,
        kind=Phase.Kind.PROPOSALS,
        title_th="เสนอและอภิปราย",
        title_en="Propose and discuss",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=30),
        actions=list(actions),
    )
    return process


def make_resident(municipality, *, pseudonym="", verified=False):
    user = factories.UserFactory()
    if verified:
        user.national_id_verified = True
        user.save(update_fields=["national_id_verified"])
    if pseudonym:
        participant = participant_get_or_create(municipality=municipality, user=user)
        participant_update(participant=participant, pseudonym=pseudonym, community=None)
    return user


@pytest.fixture
def process(municipality):
    return make_process(municipality, support_threshold=2)


@pytest.fixture
def author(municipality):
    return make_resident(municipality, pseudonym="ต้นกล้า")
