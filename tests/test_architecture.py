"""Architecture rules as tests: views fetch through access_* helpers and selectors, and every
tenant-owned table carries its municipality and scopes its unique constraints by it."""

import ast
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

PACKAGE = Path(__file__).resolve().parent.parent / "thesaban"
VIEW_MODULES = sorted({*PACKAGE.glob("*/views.py"), *PACKAGE.glob("*/*_views.py")})
SHORTCUTS = {"get_object_or_404", "get_list_or_404"}
MANAGERS = {"objects", "_default_manager", "_base_manager"}

# Not tenant-owned, by design: the tenant itself; people (one account reports to many
# municipalities); the audit log and consent records, which also hold platform-wide rows
# (sign-ups, national-ID changes) with no municipality; a person's API access tokens.
NOT_TENANT_OWNED = {
    "municipalities.municipality",
    "accounts.user",
    "accounts.accesstoken",
    "core.auditentry",
    "accounts.consentrecord",
    # The readiness instrument and networks of municipalities are shared by all municipalities
    # (a network compares like with like); docs/readiness.md.
    "readiness.indicatorset",
    "readiness.network",
    # Category models with no municipality are site-wide (the shipped default); a
    # municipality's own models carry it and are fetched only through insight/access.py.
    "insight.categorisermodel",
}


def unscoped_lookups(source: str, filename: str = "<view>") -> list[str]:
    """Every `<Model>.objects…` and `get_object_or_404(` in a module, as `file:line: code`."""
    problems = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute) and node.attr in MANAGERS:
            problems.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name in SHORTCUTS:
                problems.append(f"{filename}:{node.lineno}: {name}(…)")
    return problems


def thesaban_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if config.name.startswith("thesaban.")
        for model in config.get_models()
    ]


def test_the_view_modules_are_found():
    names = {f"{path.parent.name}/{path.name}" for path in VIEW_MODULES}
    assert {"reports/views.py", "reports/staff_views.py", "accounts/views.py"} <= names


@pytest.mark.parametrize(
    "snippet",
    [
        "def v(request, code):\n    return Report.objects.get(tracking_code=code)",
        "def v(request):\n    return list(Report.objects.filter(status='x'))",
        "def v(request):\n    qs = Category.objects\n    return qs.all()",
        "def v(request, pk):\n    return get_object_or_404(Report, pk=pk)",
        "def v(request, pk):\n    return shortcuts.get_object_or_404(Report, pk=pk)",
        "def v(request):\n    return Report._default_manager.all()",
    ],
)
def test_the_lint_catches_unscoped_lookups(snippet):
    assert unscoped_lookups(snippet)


def test_the_lint_allows_access_helpers_and_selectors():
    snippet = (
        "def v(request, code):\n"
        "    report = access_report(municipality=request.municipality, code=code)\n"
        "    rows = selectors.report_list_public(municipality=request.municipality).filter(status='x')\n"
        "    return report, rows, request.user.staff_roles.all()\n"
    )
    assert unscoped_lookups(snippet) == []


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_views_make_no_unscoped_lookups(path):
    # No allow-list: a view that needs a new lookup gets an access_* helper or a selector.
    problems = unscoped_lookups(path.read_text(), str(path.relative_to(PACKAGE.parent)))
    assert problems == [], "views must fetch through access_* helpers and selectors:\n" + "\n".join(
        problems
    )


def test_tenant_owned_models_are_found():
    labels = {model._meta.label_lower for model in thesaban_models()}
    assert {
        "reports.report",
        "reports.reportevent",
        "municipalities.department",
        "accounts.staffrole",
    } <= labels
    assert labels >= NOT_TENANT_OWNED  # the exceptions still exist, so the list is not stale


@pytest.mark.parametrize(
    "model",
    [m for m in thesaban_models() if m._meta.label_lower not in NOT_TENANT_OWNED],
    ids=lambda m: m._meta.label_lower,
)
def test_every_tenant_owned_model_has_a_non_null_municipality(model):
    field = model._meta.get_field("municipality")
    assert (
        field.many_to_one and field.related_model._meta.label_lower == "municipalities.municipality"
    )
    assert not field.null, f"{model._meta.label}.municipality must not be nullable"


@pytest.mark.parametrize(
    "model",
    [m for m in thesaban_models() if any(f.name == "municipality" for f in m._meta.get_fields())],
    ids=lambda m: m._meta.label_lower,
)
def test_uniqueness_of_tenant_rows_is_per_municipality(model):
    opts = model._meta
    for constraint in opts.constraints:
        if isinstance(constraint, models.UniqueConstraint):
            assert "municipality" in constraint.fields, (
                f"{opts.label}: {constraint.name} lacks municipality"
            )
    for together in opts.unique_together:
        assert "municipality" in together, (
            f"{opts.label}: unique_together {together} lacks municipality"
        )
    if opts.label_lower in NOT_TENANT_OWNED:
        return
    # A single-column unique=True would make a value unique across every municipality.
    global_unique = [f.name for f in opts.concrete_fields if f.unique and not f.primary_key]
    assert global_unique == [], f"{opts.label}: {global_unique} unique across all municipalities"
