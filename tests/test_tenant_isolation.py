"""Tenant isolation: no URL of the project lets one municipality's staff see or change another's data.

The test walks every URL pattern that takes the `municipality` keyword, so a URL added later is
tested without anyone remembering to: a pattern with a keyword this file does not know how to
fill fails the suite until it is taught here.
"""

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from tests.participation.fixtures import participation_objects
from tests.participation.test_opinions_helpers import opinion_objects
from tests.readiness.fixtures import readiness_objects
from tests.voting.helpers import voting_objects
from thesaban.accounts.models import StaffRole, User
from thesaban.core.models import AuditEntry
from thesaban.municipalities.models import Municipality
from thesaban.municipalities.services import community_save
from thesaban.reports import services
from thesaban.reports.models import (
    Report,
    ReportComment,
    ReportEvent,
    ReportFollower,
    ReportPhoto,
    ReportSupport,
    RoutingRule,
)

ROLES = ["administrator", "officer", "viewer"]
STAFF_AUDIT_ACTIONS = ["report.transition", "report.assign", "report.note", "report.merge"]
# Every keyword a municipality URL may take; `url_kwargs` below fills each one.
KNOWN_KWARGS = {
    "municipality",
    "code",
    "token",
    "assessment_id",
    "file_id",
    "round_id",
    "index",
    "poll_id",
    "option_id",
    "budget_id",
    "project_id",
    # open data (thesaban/opendata): fiscal year, project code, dataset slug, resource, import
    "year",
    "project",
    "dataset",
    "resource",
    "job",
    # participation: process slug, numbers of proposals/debates/results, ids
    "process",
    "number",
    "comment_id",
    "kind",
    "object_id",
    "document",
    "section_id",
    "phase_id",
    "flag_id",
    # opinion groups (participation/opinions): a statement of the process
    "statement_id",
    # insight: a category model's version number within the municipality
    "version",
}
OPENDATA_KWARGS = {
    "year": "2570",
    "project": "P70-001",
    "dataset": "budget",
    "resource": "6f1c1c9e-1b2a-4c3d-9e8f-0a1b2c3d4e5f",
    "job": "1",
}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", reversible
    namespaces: tuple[str, ...]
    kwargs: tuple[str, ...]

    @property
    def is_staff(self) -> bool:
        return "staff" in self.namespaces

    @property
    def takes_object(self) -> bool:
        return "code" in self.kwargs

    def __str__(self) -> str:
        return self.name


def _walk(patterns, namespaces=(), kwargs=()):
    for entry in patterns:
        names = tuple(entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = (*namespaces, entry.namespace) if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, inner, kwargs + names)
        elif isinstance(entry, URLPattern):
            yield namespaces, entry.name, kwargs + names, str(entry.pattern)


def municipality_routes() -> list[Route]:
    routes = []
    for namespaces, name, kwargs, pattern in _walk(get_resolver().url_patterns):
        if "municipality" not in kwargs:
            continue
        if not name:
            raise AssertionError(
                f"URL pattern {pattern!r} under /<municipality>/ has no name: name it to test it"
            )
        routes.append(Route(":".join((*namespaces, name)), namespaces, kwargs))
    return routes


ROUTES = municipality_routes()
STAFF_ROUTES = [r for r in ROUTES if r.is_staff]
OBJECT_ROUTES = [r for r in ROUTES if r.takes_object]


def test_every_municipality_url_is_walked_and_its_keywords_are_known():
    names = {route.name for route in ROUTES}
    # The walk really descends into the includes.
    assert {
        "municipality_home",
        "reports:list",
        "reports:detail",
        "staff:dashboard",
        "staff:transition",
    } <= names
    assert len(STAFF_ROUTES) >= 5 and len(OBJECT_ROUTES) >= 10
    unknown = {
        route.name: set(route.kwargs) - KNOWN_KWARGS
        for route in ROUTES
        if set(route.kwargs) - KNOWN_KWARGS
    }
    assert not unknown, (
        f"teach tests/test_tenant_isolation.py how to fill these URL keywords: {unknown}"
    )


# -- the two municipalities ----------------------------------------------------------------


@dataclass
class Tenant:
    municipality: Municipality
    report: Report
    other_report: Report
    follower: ReportFollower
    department_id: int
    category_id: int
    staff: dict[str, User]
    readiness: dict[str, int] = field(default_factory=dict)  # ids of tests.readiness.fixtures
    voting: dict[str, int] = field(default_factory=dict)  # ids of tests.voting.helpers
    participation: dict[str, str | int] = field(default_factory=dict)  # tests.participation


def internal_note(municipality: Municipality) -> str:
    return f"INTERNAL-NOTE-OF-{municipality.slug}"


def _tenant(municipality: Municipality, make_staff) -> Tenant:
    department = factories.DepartmentFactory(municipality=municipality, code="engineering")
    category = factories.CategoryFactory(
        municipality=municipality, department=department, code="road"
    )
    community = community_save(
        municipality=municipality,
        code="market",
        name_th="ตลาด",
        name_en="Market",
        boundary=factories.SQUARE,
    )
    RoutingRule.objects.create(
        municipality=municipality, category=category, community=community, department=department
    )
    staff = {
        role: make_staff(municipality, role, department if role == "officer" else None)
        for role in ROLES
    }
    reporter = factories.UserFactory()
    # The same place and category in both municipalities: an unscoped query would mix them up.
    report = services.report_create(
        municipality=municipality,
        category=category,
        description=f"หลุมบนถนน {municipality.slug}",
        lat=13.005,
        lng=100.005,
        reporter=reporter,
    )
    other_report = services.report_create(
        municipality=municipality,
        category=category,
        description=f"ไฟดับ {municipality.slug}",
        lat=13.0051,
        lng=100.0051,
        reporter_email=f"someone@{municipality.slug}.example",
        contact_consent=True,
    )
    services.report_support(report=report, user=factories.UserFactory())
    services.report_comment_create(report=report, author=factories.UserFactory(), body="เห็นด้วย")
    services.report_note_add(
        report=report, actor=staff["officer"], note=internal_note(municipality), is_public=False
    )
    follower = services.report_follow(report=report, email=f"watcher@{municipality.slug}.example")
    readiness = readiness_objects(municipality, staff["administrator"])
    tenant = Tenant(
        municipality, report, other_report, follower, department.id, category.id, staff, readiness
    )
    tenant.voting = voting_objects(municipality)
    tenant.participation = participation_objects(municipality, staff["administrator"])
    tenant.participation.update(opinion_objects(municipality, staff["administrator"]))
    return tenant


@pytest.fixture
def tenants(municipality, other_municipality, make_staff):
    return _tenant(municipality, make_staff), _tenant(other_municipality, make_staff)


def url_kwargs(route: Route, *, slug: str, objects: Tenant) -> dict[str, str]:
    values = {}
    for name in route.kwargs:
        if name == "municipality":
            values[name] = slug
        elif name == "code":
            values[name] = objects.report.tracking_code
        elif name == "token":
            is_unsubscribe = route.name.endswith("unfollow")
            values[name] = (
                objects.follower.unsubscribe_token
                if is_unsubscribe
                else objects.report.follow_token
            )
        elif name == "index":
            values[name] = "0"  # a ledger entry: numbered per municipality, 0 is every log's first
        elif name in objects.readiness:
            values[name] = str(objects.readiness[name])
        elif name in objects.voting:
            values[name] = str(objects.voting[name])
        elif name in objects.participation:
            values[name] = str(objects.participation[name])
        elif name == "version":
            values[name] = "1"  # a category model's version (insight)
        elif name in OPENDATA_KWARGS:
            values[name] = OPENDATA_KWARGS[name]
        else:
            pytest.fail(
                f"{route}: unknown URL keyword {name!r}; add it to KNOWN_KWARGS and url_kwargs"
            )
    return values


def post_data(objects: Tenant) -> dict:
    """Every field any form here reads, filled with `objects`' ids and codes."""
    return {
        "to_status": "accepted",
        "action": "accept",
        "public_note": "cross-tenant note",
        "internal_note": "cross-tenant internal",
        "note": "cross-tenant note",
        "visibility": "public",
        "into": objects.other_report.tracking_code,
        "department": objects.department_id,
        "officer": objects.staff["officer"].pk,
        "reports": [objects.report.pk, objects.other_report.pk],
        "body": "cross-tenant comment",
        "email": "intruder@example.org",
        "score": "1",
        "comment": "bad",
        "reason": "reopen it",
        "token": objects.report.follow_token,
        "category": objects.category_id,
        "description": "cross-tenant report",
        "lat": "13.005",
        "lng": "100.005",
    }


def tenant_state(municipality: Municipality) -> dict:
    """Everything a request could change about one municipality's data."""
    return {
        "reports": list(
            Report.objects.filter(municipality=municipality)
            .order_by("pk")
            .values(
                "pk",
                "status",
                "department_id",
                "assigned_to_id",
                "duplicate_of_id",
                "support_count",
                "comment_count",
                "satisfaction",
                "reopen_count",
                "first_response_at",
                "updated_at",
            )
        ),
        "events": ReportEvent.objects.filter(municipality=municipality).count(),
        "supports": ReportSupport.objects.filter(municipality=municipality).count(),
        "followers": ReportFollower.objects.filter(municipality=municipality).count(),
        "comments": ReportComment.objects.filter(municipality=municipality).count(),
        "photos": ReportPhoto.objects.filter(municipality=municipality).count(),
        "audit": AuditEntry.objects.filter(municipality=municipality).count(),
    }


def staff_facts(municipality: Municipality) -> dict:
    """What only staff may change: a public visitor's actions leave these alone."""
    return {
        "reports": list(
            Report.objects.filter(municipality=municipality)
            .order_by("pk")
            .values(
                "pk",
                "status",
                "department_id",
                "assigned_to_id",
                "duplicate_of_id",
                "first_response_at",
            )
        ),
        "staff_audit": AuditEntry.objects.filter(
            municipality=municipality, action__in=STAFF_AUDIT_ACTIONS
        ).count(),
        "internal_events": ReportEvent.objects.filter(
            municipality=municipality, is_public=False
        ).count(),
    }


def client_for(user: User | None) -> Client:
    client = Client(enforce_csrf_checks=False)
    if user is not None:
        client.force_login(user)
    return client


# -- A's staff on B's site -----------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", STAFF_ROUTES, ids=str)
def test_staff_of_a_get_403_on_every_staff_url_of_b(tenants, route, role):
    a, b = tenants
    client = client_for(a.staff[role])
    url = reverse(route.name, kwargs=url_kwargs(route, slug=b.municipality.slug, objects=b))
    before = tenant_state(b.municipality)
    assert client.get(url).status_code == 403, f"GET {url}"
    assert client.post(url, post_data(b)).status_code == 403, f"POST {url}"
    assert tenant_state(b.municipality) == before


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", [r for r in ROUTES if not r.is_staff], ids=str)
def test_staff_of_a_are_only_the_public_on_bs_public_urls(tenants, route, role):
    a, b = tenants
    client = client_for(a.staff[role])
    url = reverse(route.name, kwargs=url_kwargs(route, slug=b.municipality.slug, objects=b))
    before = staff_facts(b.municipality)
    for method in (client.get, client.post):
        response = method(url, post_data(b)) if method == client.post else method(url)
        assert response.status_code < 500, f"{method.__name__.upper()} {url}"
        assert internal_note(b.municipality).encode() not in response.content
    assert staff_facts(b.municipality) == before


# -- A's site with B's objects -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=str)
def test_bs_objects_under_as_slug_are_404(tenants, route, role):
    a, b = tenants
    client = client_for(a.staff[role])
    url = reverse(route.name, kwargs=url_kwargs(route, slug=a.municipality.slug, objects=b))
    missing_kwargs = {
        **url_kwargs(route, slug=a.municipality.slug, objects=b),
        "code": "NOPE-2569-999999",
    }
    missing = reverse(route.name, kwargs=missing_kwargs)
    before_a, before_b = tenant_state(a.municipality), tenant_state(b.municipality)
    for method in ("get", "post"):
        response = getattr(client, method)(url, post_data(b) if method == "post" else None)
        if response.status_code == 405:
            # The method is refused before any lookup: the same answer as for a code that does
            # not exist anywhere, so nothing is learnt about B.
            assert getattr(client, method)(missing).status_code == 405
            continue
        assert response.status_code == 404, f"{method.upper()} {url} -> {response.status_code}"
        assert b.report.tracking_code.encode() not in response.content
    assert tenant_state(b.municipality) == before_b
    assert tenant_state(a.municipality)["reports"] == before_a["reports"]


@pytest.mark.django_db
def test_as_report_with_bs_token_or_unsubscribe_token_is_404(tenants):
    a, b = tenants
    client = client_for(None)
    slug, code = a.municipality.slug, a.report.tracking_code
    follow = reverse(
        "reports:follow_link",
        kwargs={"municipality": slug, "code": code, "token": b.report.follow_token},
    )
    assert client.get(follow).status_code == 404
    unfollow = reverse(
        "reports:unfollow",
        kwargs={"municipality": slug, "code": code, "token": b.follower.unsubscribe_token},
    )
    client.post(unfollow)
    assert ReportFollower.objects.filter(pk=b.follower.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "officer"])
def test_as_forms_refuse_bs_ids(tenants, role):
    a, b = tenants
    client = client_for(a.staff[role])
    slug, code = a.municipality.slug, a.report.tracking_code
    before_a, before_b = staff_facts(a.municipality), tenant_state(b.municipality)
    client.post(
        reverse("staff:assign", kwargs={"municipality": slug, "code": code}),
        {"department": b.department_id, "officer": ""},
    )
    client.post(
        reverse("staff:assign", kwargs={"municipality": slug, "code": code}),
        {"department": a.department_id, "officer": b.staff["officer"].pk},
    )
    client.post(
        reverse("staff:merge", kwargs={"municipality": slug, "code": code}),
        {"into": b.report.tracking_code, "public_note": "merge across"},
    )
    client.post(
        reverse("staff:bulk", kwargs={"municipality": slug}),
        {"reports": [b.report.pk, b.other_report.pk], "action": "accept"},
    )
    client.post(
        reverse("staff:bulk", kwargs={"municipality": slug}),
        {"reports": [a.report.pk], "action": "assign", "department": b.department_id},
    )
    assert tenant_state(b.municipality) == before_b
    assert staff_facts(a.municipality) == before_a
    a.report.refresh_from_db()
    assert a.report.department_id == a.department_id
    assert a.report.assigned_to_id is None


@pytest.mark.django_db
def test_duplicates_json_refuses_bs_category(tenants):
    a, b = tenants
    url = reverse("reports:duplicates", kwargs={"municipality": a.municipality.slug})
    response = client_for(None).get(url, {"category": b.category_id, "lat": 13.005, "lng": 100.005})
    assert response.status_code == 400
    assert b.report.tracking_code.encode() not in response.content


# -- lists and maps ------------------------------------------------------------------------


def _pages_of(a: Tenant, b: Tenant) -> list[tuple[str, dict]]:
    slug = a.municipality.slug
    return [
        (reverse("municipality_home", kwargs={"municipality": slug}), {}),
        (reverse("reports:list", kwargs={"municipality": slug}), {}),
        (reverse("reports:list", kwargs={"municipality": slug}), {"q": b.report.tracking_code}),
        (reverse("reports:list", kwargs={"municipality": slug}), {"status": "open"}),
        (reverse("reports:map", kwargs={"municipality": slug}), {}),
        (reverse("reports:map_data", kwargs={"municipality": slug}), {"zoom": 18}),
        (reverse("reports:map_data", kwargs={"municipality": slug}), {"zoom": 10}),
        (
            reverse("reports:map_data", kwargs={"municipality": slug}),
            {"zoom": 18, "south": 12, "north": 14, "west": 99, "east": 101},
        ),
        (
            reverse("reports:duplicates", kwargs={"municipality": slug}),
            {"category": a.category_id, "lat": 13.005, "lng": 100.005},
        ),
        ("/", {}),
    ]


def _staff_pages_of(a: Tenant, b: Tenant) -> list[tuple[str, dict]]:
    slug = a.municipality.slug
    return [
        (reverse("staff:dashboard", kwargs={"municipality": slug}), {}),
        (reverse("staff:queue", kwargs={"municipality": slug}), {}),
        (reverse("staff:queue", kwargs={"municipality": slug}), {"q": b.report.tracking_code}),
        (reverse("staff:queue", kwargs={"municipality": slug}), {"status": "submitted"}),
        (
            reverse("staff:report", kwargs={"municipality": slug, "code": a.report.tracking_code}),
            {},
        ),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("role", [None, *ROLES])
def test_as_lists_and_maps_never_contain_bs_reports(tenants, role):
    a, b = tenants
    client = client_for(a.staff[role] if role else None)
    pages = _pages_of(a, b) + (_staff_pages_of(a, b) if role else [])
    shown_a = False
    for url, params in pages:
        response = client.get(url, params)
        assert response.status_code == 200, f"{url} {params} -> {response.status_code}"
        for b_report in (b.report, b.other_report):
            code = b_report.tracking_code
            # A search for B's code echoes it in the search box; a result would link to it.
            needle = f"/{code}/" if params.get("q") == code else code
            assert needle.encode() not in response.content, f"{url} {params} shows B's report"
            assert b_report.description.encode() not in response.content, (
                f"{url} {params} shows B's report"
            )
        shown_a = shown_a or a.report.tracking_code.encode() in response.content
    assert shown_a  # the pages do list reports: A's own ones


# -- who may enter the back office at all --------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("route", STAFF_ROUTES, ids=str)
def test_anonymous_visitors_are_sent_to_sign_in(tenants, route):
    a, _b = tenants
    url = reverse(route.name, kwargs=url_kwargs(route, slug=a.municipality.slug, objects=a))
    login = reverse(settings.LOGIN_URL)
    before = tenant_state(a.municipality)
    for method in ("get", "post"):
        response = getattr(Client(), method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response.url.startswith(login + "?next=")
    assert tenant_state(a.municipality) == before


@pytest.mark.django_db
@pytest.mark.parametrize("route", STAFF_ROUTES, ids=str)
def test_residents_without_a_role_get_403(tenants, route):
    a, _b = tenants
    client = client_for(factories.UserFactory())
    url = reverse(route.name, kwargs=url_kwargs(route, slug=a.municipality.slug, objects=a))
    before = tenant_state(a.municipality)
    assert client.get(url).status_code == 403
    assert client.post(url, post_data(a)).status_code == 403
    assert tenant_state(a.municipality) == before


@pytest.mark.django_db
def test_unknown_or_inactive_municipality_is_404(tenants):
    a, _b = tenants
    client = client_for(a.staff["administrator"])
    assert client.get("/no-such-town/reports/").status_code == 404
    Municipality.objects.filter(pk=a.municipality.pk).update(is_active=False)
    assert (
        client.get(
            reverse("staff:dashboard", kwargs={"municipality": a.municipality.slug})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("reports:list", kwargs={"municipality": a.municipality.slug})
        ).status_code
        == 404
    )


# -- the admin site ------------------------------------------------------------------------


def _b_objects(model, b: Tenant) -> list:
    if model is Municipality:
        return [b.municipality]
    if model is User:
        # A person whose only staff role is in B.
        return [b.staff["officer"]]
    try:
        model._meta.get_field("municipality")
    except FieldDoesNotExist:
        return []
    return list(model._default_manager.filter(municipality=b.municipality)[:3])


ADMIN_MODELS = sorted(
    (
        model
        for model in admin.site._registry
        if model._meta.app_label in {"accounts", "core", "municipalities", "reports"}
    ),
    key=lambda model: model._meta.label,
)


@pytest.mark.django_db
def test_the_admin_site_registers_the_tenant_models():
    labels = {model._meta.label_lower for model in ADMIN_MODELS}
    assert {"reports.report", "reports.category", "municipalities.department"} <= labels


@pytest.mark.django_db
@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda m: m._meta.label_lower)
def test_as_administrator_cannot_open_bs_objects_in_the_admin(tenants, model):
    a, b = tenants
    client = client_for(a.staff["administrator"])
    opts = model._meta
    changelist = client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    assert changelist.status_code in (200, 403)
    objects = _b_objects(model, b)
    if opts.label_lower not in {"accounts.user"} and any(
        f.name == "municipality" for f in opts.get_fields()
    ):
        assert objects, (
            f"the fixture makes no {opts.label} for B; add one so the admin check means something"
        )
    for obj in objects:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        assert change.encode() not in changelist.content, (
            f"{opts.label} changelist links B's object"
        )
        response = client.get(change)
        assert response.status_code in (302, 403, 404), f"{change} -> {response.status_code}"
        if response.status_code == 302:
            assert response.url != change
        before = tenant_state(b.municipality)
        client.post(change, {"name_th": "hacked", "status": "closed", "role": "administrator"})
        client.post(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk]),
            {"post": "yes"},
        )
        assert tenant_state(b.municipality) == before
        assert model._default_manager.filter(pk=obj.pk).exists()
    assert (
        StaffRole.objects.filter(municipality=b.municipality, user=a.staff["administrator"]).count()
        == 0
    )
