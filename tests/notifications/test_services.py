"""Subscriptions, fan-out and announcements: who gets a delivery, with which words, once."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from thesaban.core.models import AuditEntry
from thesaban.notifications import fanout, outbox, services
from thesaban.notifications.models import Delivery, Notification, Subscription
from thesaban.reports import services as report_services
from thesaban.reports.workflow import Status

NOTE = "ซ่อมเสร็จแล้ว / Repaired"


def make_report(municipality, category, **kwargs):
    defaults = dict(
        municipality=municipality,
        category=category,
        description="ถนนเป็นหลุม",
        lat=13.005,
        lng=100.005,
    )
    return report_services.report_create(**{**defaults, **kwargs})


# -- subscriptions -------------------------------------------------------------------------


@pytest.mark.django_db
def test_subscription_create_is_idempotent_and_scoped(municipality, community, resident):
    first = services.subscription_create(
        municipality=municipality, channel="email", user=resident, community=community
    )
    again = services.subscription_create(
        municipality=municipality, channel="email", user=resident, community=community
    )
    assert first.pk == again.pk and first.status == Subscription.Status.ACTIVE
    assert first.scope_key == f"community:{community.pk}"
    assert AuditEntry.objects.filter(action="notifications.subscribe").count() == 1
    whole = services.subscription_create(municipality=municipality, channel="email", user=resident)
    assert whole.scope_key == "municipality" and whole.pk != first.pk


@pytest.mark.django_db
def test_subscription_create_refuses_bad_input(municipality, other_municipality, community):
    foreign = factories.CommunityFactory(municipality=other_municipality)
    with pytest.raises(ValidationError):
        services.subscription_create(
            municipality=municipality, channel="email", address="a@example.org", community=foreign
        )
    with pytest.raises(ValidationError):
        services.subscription_create(municipality=municipality, channel="email", address="nope")
    with pytest.raises(ValidationError):
        services.subscription_create(
            municipality=municipality, channel="carrier-pigeon", address="x"
        )
    with pytest.raises(ValidationError):
        services.subscription_create(municipality=municipality, channel="webhook", address="1")
    with pytest.raises(ValidationError):  # two scopes at once
        services.subscription_create(
            municipality=municipality,
            channel="email",
            address="a@example.org",
            community=community,
            category=factories.CategoryFactory(municipality=municipality),
        )


@pytest.mark.django_db
def test_an_address_without_account_is_confirmed_first(
    municipality, community, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        subscription = services.subscription_create(
            municipality=municipality,
            channel="email",
            address="Somsri@Example.org",
            community=community,
            language="en",
        )
    assert subscription.status == Subscription.Status.PENDING
    assert [m.to for m in mail.outbox] == [["somsri@example.org"]]
    token = fanout.confirm_token(subscription)
    assert token in mail.outbox[0].body
    # Asking again within the hour sends no second confirmation.
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_create(
            municipality=municipality,
            channel="email",
            address="somsri@example.org",
            community=community,
        )
    assert len(mail.outbox) == 1
    assert services.subscription_confirm(municipality=municipality, token="bad:token") is None
    confirmed = services.subscription_confirm(municipality=municipality, token=token)
    assert confirmed.status == Subscription.Status.ACTIVE and confirmed.confirmed_at


@pytest.mark.django_db
def test_pending_subscribers_get_nothing_until_confirmed(
    municipality, community, admin_user, django_capture_on_commit_callbacks
):
    pending = services.subscription_create(
        municipality=municipality, channel="email", address="p@example.org", community=community
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_publish(
            municipality=municipality,
            author=admin_user,
            title_th="ประปาหยุดจ่ายน้ำ",
            body_th="วันพรุ่งนี้ 9:00-15:00",
            communities=[community],
        )
    assert mail.outbox == []
    assert pending.status == Subscription.Status.PENDING


@pytest.mark.django_db
def test_unsubscribe_by_signed_token(municipality, community, resident):
    subscription = services.subscription_create(
        municipality=municipality, channel="email", user=resident, community=community
    )
    assert services.subscription_unsubscribe(municipality=municipality, token="12:forged") is None
    token = fanout.unsubscribe_token(subscription)
    assert (
        services.subscription_unsubscribe(municipality=municipality, token=token).pk
        == subscription.pk
    )
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED
    # Idempotent, and subscribing again revives the same row.
    assert services.subscription_unsubscribe(municipality=municipality, token=token) is not None
    again = services.subscription_create(
        municipality=municipality, channel="email", user=resident, community=community
    )
    assert again.pk == subscription.pk and again.status == Subscription.Status.ACTIVE


@pytest.mark.django_db
def test_a_token_of_another_municipality_does_nothing(municipality, other_municipality, resident):
    subscription = services.subscription_create(
        municipality=other_municipality, channel="email", user=resident
    )
    token = fanout.unsubscribe_token(subscription)
    assert services.subscription_unsubscribe(municipality=municipality, token=token) is None
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE


# -- report events -------------------------------------------------------------------------


@pytest.mark.django_db
def test_new_reports_reach_community_and_category_subscribers_with_public_facts_only(
    municipality, category, community, django_capture_on_commit_callbacks
):
    by_community = factories.UserFactory(email="c@example.org")
    by_category = factories.UserFactory(email="k@example.org", preferred_language="en")
    both = factories.UserFactory(email="both@example.org")
    whole_town = factories.UserFactory(email="town@example.org")
    services.subscription_create(
        municipality=municipality, channel="email", user=by_community, community=community
    )
    services.subscription_create(
        municipality=municipality, channel="email", user=by_category, category=category
    )
    services.subscription_create(
        municipality=municipality, channel="email", user=both, category=category
    )
    services.subscription_create(
        municipality=municipality, channel="email", user=both, community=community
    )
    services.subscription_create(municipality=municipality, channel="email", user=whole_town)
    with django_capture_on_commit_callbacks(execute=True):
        report = make_report(
            municipality,
            category,
            reporter_name="สมชาย ลับมาก",
            reporter_email="reporter@example.org",
            reporter_phone="0812345678",
            contact_consent=True,
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    # One e-mail per address however many subscriptions match; whole-town subscribers get
    # announcements, not every report; the reporter gets the receipt.
    assert sorted(by_address) == [
        "both@example.org",
        "c@example.org",
        "k@example.org",
        "reporter@example.org",
    ]
    assert report.follow_token in by_address["reporter@example.org"].body
    for address in ("both@example.org", "c@example.org", "k@example.org"):
        body = by_address[address].body
        assert report.tracking_code in by_address[address].subject + body
        assert report.follow_token not in body
        assert "สมชาย" not in body and "0812345678" not in body and "reporter@" not in body
        assert "/notifications/unsubscribe/" in body
    assert "New report" in by_address["k@example.org"].subject  # in the subscriber's language


@pytest.mark.django_db
def test_status_changes_reach_followers_and_report_subscribers_but_not_the_actor(
    municipality, category, officer, recording_channel, django_capture_on_commit_callbacks
):
    report = make_report(municipality, category)
    follower = factories.UserFactory(email="follower@example.org")
    report_services.report_follow(report=report, user=follower)
    report_services.report_follow(report=report, user=officer)
    services.subscription_create(
        municipality=municipality,
        channel="pigeon",
        address="U-line-1",
        report=report,
        language="en",
    )
    services.subscription_create(
        municipality=municipality, channel="email", user=officer, report=report
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_transition(
            report=report, actor=officer, to_status=Status.RESOLVED, public_note=NOTE
        )
    assert [m.to for m in mail.outbox] == [["follower@example.org"]]
    assert NOTE in mail.outbox[0].body
    # The plug-in channel got the contract's delivery object.
    (pushed,) = recording_channel
    assert pushed["address"] == "U-line-1" and pushed["language"] == "en"
    payload = pushed["payload"]
    assert {"subject", "text", "url", "event"} <= set(payload)
    assert len(payload["text"]) <= 1000 and NOTE in payload["text"]
    assert payload["url"].startswith("http") and report.tracking_code in payload["url"]
    assert payload["event"]["type"] == "report.status_changed"
    assert payload["event"]["report"]["status"] == Status.RESOLVED


@pytest.mark.django_db
def test_internal_notes_make_no_notification(municipality, category, officer):
    report = make_report(municipality, category)
    before = Notification.objects.count()
    report_services.report_note_add(report=report, actor=officer, note="งบ 7-31", is_public=False)
    assert Notification.objects.count() == before


@pytest.mark.django_db
def test_the_outbox_rows_roll_back_with_the_business_write(municipality, category, officer):
    report = make_report(municipality, category)
    report_services.report_follow(report=report, email="f@example.org")
    before = (Notification.objects.count(), Delivery.objects.count())
    with pytest.raises(ValidationError):  # resolving needs a public note: the whole write fails
        report_services.report_transition(report=report, actor=officer, to_status=Status.RESOLVED)
    assert (Notification.objects.count(), Delivery.objects.count()) == before


@pytest.mark.django_db
def test_fanout_run_twice_writes_nothing_new(municipality, category, community, officer):
    services.subscription_create(
        municipality=municipality, channel="email", address="a@example.org", community=community
    )
    Subscription.objects.update(status=Subscription.Status.ACTIVE)
    report = make_report(municipality, category)
    report_services.report_follow(report=report, email="f@example.org")
    report = report_services.report_transition(
        report=report, actor=officer, to_status=Status.ACCEPTED
    )
    event = report.events.filter(kind="status").last()
    count = Delivery.objects.count()
    assert fanout.fanout_report_event(report=report, event=event) is not None
    assert Delivery.objects.count() == count
    keys = list(Delivery.objects.values_list("idempotency_key", flat=True))
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_idempotency_keys_are_stable_uuids():
    key = fanout.idempotency_key(municipality_id=1, event_key="e:1", channel="email", address="a@b")
    assert key == fanout.idempotency_key(
        municipality_id=1, event_key="e:1", channel="email", address="a@b"
    )
    assert key != fanout.idempotency_key(
        municipality_id=1, event_key="e:1", channel="email", address="c@b"
    )
    assert len(key) == 36 and key.count("-") == 4


# -- announcements -------------------------------------------------------------------------


@pytest.mark.django_db
def test_announcement_reaches_the_chosen_areas_only(
    municipality, community, other_community, officer, django_capture_on_commit_callbacks
):
    inside = factories.UserFactory(email="inside@example.org", preferred_language="en")
    outside = factories.UserFactory(email="outside@example.org")
    town = factories.UserFactory(email="town@example.org")
    services.subscription_create(
        municipality=municipality, channel="email", user=inside, community=community
    )
    services.subscription_create(
        municipality=municipality, channel="email", user=outside, community=other_community
    )
    services.subscription_create(municipality=municipality, channel="email", user=town)
    services.subscription_create(
        municipality=municipality, channel="email", user=officer, community=community
    )
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.announcement_publish(
            municipality=municipality,
            author=officer,
            title_th="ประปาหยุดจ่ายน้ำ",
            body_th="พรุ่งนี้ 09:00-15:00",
            title_en="Water cut",
            body_en="Tomorrow 09:00-15:00",
            communities=[community],
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    assert sorted(by_address) == ["inside@example.org", "town@example.org"]  # not the author
    assert by_address["inside@example.org"].subject == "Water cut"
    assert by_address["town@example.org"].subject == "ประปาหยุดจ่ายน้ำ"
    assert f"#announcement-{announcement.pk}" in by_address["town@example.org"].body
    entry = AuditEntry.objects.get(action="notifications.announce")
    assert entry.actor == officer and entry.data["deliveries"] == 2


@pytest.mark.django_db
def test_whole_municipality_announcements_reach_every_area_subscriber(
    municipality, community, category, admin_user, django_capture_on_commit_callbacks
):
    report = make_report(municipality, category)
    for email, scope in [
        ("c@example.org", {"community": community}),
        ("k@example.org", {"category": category}),
        ("r@example.org", {"report": report}),
    ]:
        user = factories.UserFactory(email=email)
        services.subscription_create(municipality=municipality, channel="email", user=user, **scope)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.announcement_publish(
            municipality=municipality,
            author=admin_user,
            title_th="น้ำท่วม",
            body_th="หลีกเลี่ยงถนนสายหลัก",
            whole_municipality=True,
        )
    assert sorted(m.to[0] for m in mail.outbox) == ["c@example.org", "k@example.org"]


@pytest.mark.django_db
def test_announcement_rules(municipality, other_municipality, community, viewer, admin_user):
    with pytest.raises(PermissionDenied):
        services.announcement_publish(
            municipality=municipality,
            author=viewer,
            title_th="x",
            body_th="y",
            whole_municipality=True,
        )
    with pytest.raises(ValidationError) as error:
        services.announcement_publish(
            municipality=municipality, author=admin_user, title_th="", body_th=""
        )
    assert {"title_th", "body_th", "communities"} <= set(error.value.error_dict)
    foreign = factories.CommunityFactory(municipality=other_municipality)
    with pytest.raises(ValidationError):
        services.announcement_publish(
            municipality=municipality,
            author=admin_user,
            title_th="x",
            body_th="y",
            communities=[foreign],
        )


# -- webhooks and the dead letters ---------------------------------------------------------


@pytest.mark.django_db
def test_webhook_endpoint_rules(municipality, admin_user, officer):
    with pytest.raises(PermissionDenied):
        services.webhook_endpoint_create(
            municipality=municipality, actor=officer, name="x", url="https://example.org/h"
        )
    for url in ("ftp://example.org/h", "file:///etc/passwd", "javascript:alert(1)", "example.org"):
        with pytest.raises(ValidationError):
            services.webhook_endpoint_create(
                municipality=municipality, actor=admin_user, name="x", url=url
            )
    with pytest.raises(ValidationError):
        services.webhook_endpoint_create(
            municipality=municipality,
            actor=admin_user,
            name="x",
            url="https://e.org",
            event_types=["nope"],
        )
    endpoint, secret = services.webhook_endpoint_create(
        municipality=municipality, actor=admin_user, name="City app", url="https://e.org/hook"
    )
    assert len(secret) >= 40 and endpoint.secret == secret
    entry = AuditEntry.objects.get(action="notifications.webhook_create")
    assert secret not in str(entry.data)
    services.webhook_endpoint_delete(endpoint=endpoint, actor=admin_user)
    assert AuditEntry.objects.filter(action="notifications.webhook_delete").exists()


@pytest.mark.django_db
def test_dead_letters_can_be_sent_again_by_administrators(
    municipality, community, admin_user, officer, settings
):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 1
    user = factories.UserFactory(email="x@example.org")
    services.subscription_create(
        municipality=municipality, channel="email", user=user, community=community
    )
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens: refused
    services.announcement_publish(
        municipality=municipality,
        author=admin_user,
        title_th="x",
        body_th="y",
        communities=[community],
    )
    outbox.deliver_until_done()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DEAD and delivery.attempts == 1
    assert delivery.last_error
    with pytest.raises(PermissionDenied):
        services.delivery_retry(delivery=delivery, actor=officer)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    services.delivery_retry(delivery=delivery, actor=admin_user)
    outbox.deliver_until_done()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT and len(mail.outbox) == 1
    with pytest.raises(ValidationError):
        services.delivery_retry(delivery=delivery, actor=admin_user)
