"""Property-based testing of the whole JSON API against its own OpenAPI document.

schemathesis generates requests for every operation from /api/v1/openapi.json (valid ones and
invalid ones) and sends them to the WSGI application, authenticated as an administrator of the
municipality; every answer must be no server error and match the documented status codes,
content types, headers and schemas.
"""

from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests import factories
from thesaban.accounts.tokens import access_token_create
from thesaban.reports import services
from thesaban.reports.workflow import Status

MAX_EXAMPLES = 12
# Every other check runs. This one expects every schema-valid request to succeed, but some
# rules cannot be written in a schema: the category id must be one of this municipality's,
# a report needs coordinates or an address, a transition must be allowed from the current
# status. Those requests are answered 422 with the field named, which the tests check.
EXCLUDED_CHECKS = [positive_data_acceptance]


@pytest.fixture
def api_world(municipality, category, admin_user, officer, resident, jpeg_upload):
    """A municipality with categories, questions and reports in several states."""
    category.questions = [
        {
            "code": "depth",
            "datatype": "number",
            "required": False,
            "label_th": "ลึกเท่าไร",
            "label_en": "How deep?",
            "order": 1,
        },
        {
            "code": "side",
            "datatype": "singlevaluelist",
            "required": False,
            "label_th": "ฝั่ง",
            "label_en": "Side",
            "order": 2,
            "values": [{"key": "left", "name_th": "ซ้าย", "name_en": "Left"}],
        },
    ]
    category.save()
    factories.CategoryFactory(municipality=municipality, department=category.department)
    factories.CommunityFactory(municipality=municipality)
    common = {"municipality": municipality, "category": category, "lat": 13.005, "lng": 100.005}
    report = services.report_create(
        description="ถนนเป็นหลุม",
        reporter=resident,
        photos=[jpeg_upload()],
        answers={"depth": 10},
        **common,
    )
    resolved = services.report_create(
        description="ไฟดับ", reporter_email="guest@example.org", contact_consent=True, **common
    )
    services.report_transition(
        report=resolved, actor=admin_user, to_status=Status.RESOLVED, public_note="แก้แล้ว"
    )
    services.report_note_add(report=report, actor=officer, note="ภายใน", is_public=False)
    services.report_comment_create(report=report, author=resident, body="เห็นด้วย")
    _token, raw = access_token_create(user=admin_user, name="schemathesis")
    spare, _raw = access_token_create(user=admin_user, name="to revoke")
    return {"token": raw, "code": report.tracking_code, "spare_token_id": spare.pk}


@pytest.fixture
def keep_test_connection():
    """The WSGI handler closes "old" database connections when a request starts and ends, which
    would close the test's transaction on PostgreSQL; Django's test client avoids it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _run_operation(operation, *, mode, path_values: dict, headers: dict, seen: Counter) -> None:
    path_parameters = {
        p.name: path_values[p.name] for p in operation.path_parameters if p.name in path_values
    }
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters or None)

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        # The same examples on every run and machine: CI must not pass or fail by chance.
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case):
        response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)
        seen[f"{response.status_code // 100}xx"] += 1

    run()


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_the_api_matches_its_openapi_document(api_world, mode, keep_test_connection):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    # Aim the generated requests at real objects, so operations get past the 404 and do their work.
    path_values = {
        "slug": "alpha",
        "code": api_world["code"],
        "token_id": api_world["spare_token_id"],
    }
    headers = {"Authorization": f"Bearer {api_world['token']}"}
    failures, operations, seen = [], 0, Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        try:
            _run_operation(
                operation, mode=mode, path_values=path_values, headers=headers, seen=seen
            )
        except Unsatisfiable:
            # Negative mode: nothing of this operation can be made invalid (no query or body,
            # and its path parameters are fixed to real objects above).
            assert mode == GenerationMode.NEGATIVE, operation.label
        except Exception as error:  # collect every operation's failure, then report them all
            failures.append(f"{operation.label}:\n{error}")
    assert operations >= 20
    assert not failures, "\n\n".join(failures)
    # The requests did reach the operations: valid ones succeed, invalid ones are refused.
    expected = "2xx" if mode == GenerationMode.POSITIVE else "4xx"
    assert seen[expected] >= operations, seen
    assert seen["5xx"] == 0
