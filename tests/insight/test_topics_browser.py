"""Themes in comments in a real browser: an officer computes the themes of a process's
comments, reads them, publishes them; a resident on a phone sees them on the process page."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.test_report_journey import assert_no_horizontal_scroll, keep_offline, staff_login
from tests.insight.test_topics_clustering import planted_corpus
from tests.insight.test_topics_services import add_comments, debate_of, participants
from tests.participation.conftest import make_process
from thesaban.accounts.services import staff_role_grant
from thesaban.insight.topics.models import TopicAnalysis

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_staff_compute_read_and_publish_themes_then_residents_see_them(live_server, desktop, phone):
    municipality = factories.MunicipalityFactory(slug="alpha", tracking_prefix="ALPHA")
    process = make_process(municipality, slug="plan-2570")
    authors = participants(municipality)
    corpus, _truth = planted_corpus(per_theme=15)
    add_comments(
        process,
        [text for _i, text in corpus],
        target=debate_of(process, authors[0]),
        authors=authors,
    )
    officer = factories.UserFactory()
    staff_role_grant(municipality=municipality, user=officer, role="officer")
    keep_offline(desktop.context, live_server)
    keep_offline(phone.context, live_server)

    staff_login(desktop, live_server, officer.email, "/alpha/staff/topics/")
    desktop.locator("main table a[href$='/topics/plan-2570/']").click()
    expect(desktop.locator("h1")).to_have_text(process.title_th)
    desktop.locator("main form[action$='/compute/'] button[type=submit]").click()
    # In-process tasks run before the redirect: the page comes back with the themes.
    expect(desktop.locator(".topic-theme")).to_have_count(3)
    expect(desktop.locator(".topic-machine")).to_contain_text("45")
    analysis = TopicAnalysis.objects.get(process=process)
    assert analysis.status == "ready" and analysis.progress == 100
    first_keyword = analysis.themes[0]["keywords"][0]
    expect(desktop.locator(".topic-theme").first.locator(".topic-keywords")).to_contain_text(
        first_keyword
    )
    for participant_user in (author.user for author in authors):
        assert participant_user.email not in desktop.content()

    desktop.locator("main form input[name=public][value='1'] ~ button").click()
    expect(desktop.locator("main form input[name=public][value='0']")).to_have_count(1)
    analysis.refresh_from_db()
    assert analysis.is_public

    phone.goto(f"{live_server.url}/alpha/participate/plan-2570/")
    panel = phone.locator("section.process-topics")
    expect(panel).to_be_visible()
    expect(panel.locator(".topic-theme")).to_have_count(3)
    expect(panel).to_contain_text(first_keyword)
    assert_no_horizontal_scroll(phone)
