import pytest

from tests import factories
from thesaban.notifications import registry


@pytest.fixture
def community(municipality):
    return factories.CommunityFactory(municipality=municipality, code="market")


@pytest.fixture
def other_community(municipality):
    return factories.CommunityFactory(
        municipality=municipality, code="temple", boundary=None, min_lat=None
    )


@pytest.fixture
def recording_channel():
    """A channel registered through the public registry, as the LINE app does: it records what
    it is given, so tests see exactly what a plug-in channel receives."""
    sent = []

    def sender(delivery):
        sent.append(
            {
                "channel": delivery.channel,
                "address": delivery.address,
                "key": delivery.idempotency_key,
                "language": delivery.language,
                "payload": delivery.payload,
            }
        )

    registry.register_sender("pigeon", sender)
    yield sent
    registry.unregister_sender("pigeon")
