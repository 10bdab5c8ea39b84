"""One test per rule of notifications/rules.py."""

import pytest
import rules

from tests import factories

CASES = {
    "notifications.view_announcements": {"administrator", "officer", "viewer"},
    "notifications.publish_announcement": {"administrator", "officer"},
    "notifications.view_outbox": {"administrator", "officer", "viewer"},
    "notifications.retry_delivery": {"administrator"},
    "notifications.manage_webhooks": {"administrator"},
}


@pytest.mark.django_db
@pytest.mark.parametrize("permission", sorted(CASES))
def test_rule(permission, municipality, other_municipality, make_staff):
    for role in ("administrator", "officer", "viewer"):
        user = make_staff(municipality, role)
        assert rules.has_perm(permission, user, municipality) == (role in CASES[permission])
        # A role in one municipality gives nothing in another.
        assert not rules.has_perm(permission, user, other_municipality)
    assert not rules.has_perm(permission, factories.UserFactory(), municipality)
