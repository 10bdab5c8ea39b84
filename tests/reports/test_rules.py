"""One test per rule of reports/rules.py (and the shared predicates of accounts/rules.py)."""

import pytest
import rules
from django.contrib.auth.models import AnonymousUser

from tests import factories
from thesaban.accounts import rules as account_rules
from thesaban.reports import rules as report_rules

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_department(municipality):
    return factories.DepartmentFactory(municipality=municipality, code="health")


@pytest.fixture
def reports(municipality, category, department, other_department):
    """A report of the officer's department, one of another department, one unassigned."""
    return {
        "own": factories.ReportFactory(
            municipality=municipality, category=category, department=department
        ),
        "other": factories.ReportFactory(
            municipality=municipality, category=category, department=other_department
        ),
        "unassigned": factories.ReportFactory(
            municipality=municipality, category=category, department=None
        ),
    }


@pytest.fixture
def people(municipality, other_municipality, admin_user, officer, viewer, resident, make_staff):
    return {
        "administrator": admin_user,
        "officer": officer,
        "officer_without_department": make_staff(municipality, "officer"),
        "viewer": viewer,
        "resident": resident,
        "anonymous": AnonymousUser(),
        "administrator_elsewhere": make_staff(other_municipality, "administrator"),
    }


def allowed(people, permission, obj):
    return {name for name, user in people.items() if user.has_perm(permission, obj)}


# --- shared predicates ------------------------------------------------------------------------


def test_is_staff_of_municipality_counts_any_role_only_in_that_municipality(
    people, municipality, reports
):
    for obj in (municipality, reports["own"]):
        matching = {
            n for n, u in people.items() if account_rules.is_staff_of_municipality.test(u, obj)
        }
        assert matching == {"administrator", "officer", "officer_without_department", "viewer"}


def test_role_predicates_match_exactly_one_role(people, municipality):
    assert {
        n for n, u in people.items() if account_rules.is_administrator.test(u, municipality)
    } == {"administrator"}
    assert {n for n, u in people.items() if account_rules.is_officer.test(u, municipality)} == {
        "officer",
        "officer_without_department",
    }
    assert {n for n, u in people.items() if account_rules.is_viewer.test(u, municipality)} == {
        "viewer"
    }


def test_predicates_are_false_without_an_object(people):
    for user in people.values():
        assert not account_rules.is_staff_of_municipality.test(user, None)
        assert not account_rules.is_administrator.test(user, None)


def test_an_inactive_user_has_no_role(admin_user, municipality):
    admin_user.is_active = False
    assert not account_rules.is_administrator.test(admin_user, municipality)


def test_is_officer_of_report_department(people, reports):
    predicate = report_rules.is_officer_of_report_department
    assert predicate.test(people["officer"], reports["own"])
    assert not predicate.test(people["officer"], reports["other"])
    assert not predicate.test(people["officer"], reports["unassigned"])
    assert not predicate.test(people["officer_without_department"], reports["unassigned"])
    assert not predicate.test(people["administrator"], reports["own"])


# --- permissions ------------------------------------------------------------------------------


def test_view_queue_is_for_any_staff_role(people, municipality, reports):
    expected = {"administrator", "officer", "officer_without_department", "viewer"}
    assert allowed(people, "reports.view_queue", municipality) == expected
    assert allowed(people, "reports.view_queue", reports["other"]) == expected


def test_view_dashboard_is_for_any_staff_role(people, municipality):
    assert allowed(people, "reports.view_dashboard", municipality) == {
        "administrator",
        "officer",
        "officer_without_department",
        "viewer",
    }


def test_change_report_administrators_everywhere_officers_own_department_and_unassigned(
    people, reports
):
    assert allowed(people, "reports.change_report", reports["own"]) == {"administrator", "officer"}
    assert allowed(people, "reports.change_report", reports["other"]) == {"administrator"}
    assert allowed(people, "reports.change_report", reports["unassigned"]) == {
        "administrator",
        "officer",
        "officer_without_department",
    }


def test_assign_report_follows_the_same_scope(people, reports):
    assert allowed(people, "reports.assign_report", reports["own"]) == {"administrator", "officer"}
    assert allowed(people, "reports.assign_report", reports["other"]) == {"administrator"}
    assert "viewer" not in allowed(people, "reports.assign_report", reports["unassigned"])


def test_merge_report_follows_the_same_scope(people, reports):
    assert allowed(people, "reports.merge_report", reports["own"]) == {"administrator", "officer"}
    assert allowed(people, "reports.merge_report", reports["other"]) == {"administrator"}


def test_bulk_action_is_for_administrators_and_officers(people, municipality):
    assert allowed(people, "reports.bulk_action", municipality) == {
        "administrator",
        "officer",
        "officer_without_department",
    }


def test_view_reporter_contact_only_for_those_who_act_on_the_report(people, reports):
    assert allowed(people, "reports.view_reporter_contact", reports["own"]) == {
        "administrator",
        "officer",
    }
    assert allowed(people, "reports.view_reporter_contact", reports["other"]) == {"administrator"}


def test_a_role_in_another_municipality_grants_nothing_here(people, other_municipality, reports):
    elsewhere = people["administrator_elsewhere"]
    for permission in ("reports.view_queue", "reports.change_report", "reports.merge_report"):
        assert not elsewhere.has_perm(permission, reports["own"])
    assert elsewhere.has_perm("reports.view_queue", other_municipality)


def test_rules_never_grant_the_model_permission_without_an_object(people):
    # The admin site asks "reports.change_report" without an object; that stays with the groups.
    for user in people.values():
        assert not rules.has_perm("reports.change_report", user, None)
        assert not rules.has_perm("reports.view_queue", user, None)
