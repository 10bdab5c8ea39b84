"""E-mail to a report's followers, sent as tasks (in-process by default, workers in production)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


def _report_url(report) -> str:
    path = reverse(
        "reports:detail",
        kwargs={"municipality": report.municipality.slug, "code": report.tracking_code},
    )
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def _follow_url(report) -> str:
    path = reverse(
        "reports:follow_link",
        kwargs={
            "municipality": report.municipality.slug,
            "code": report.tracking_code,
            "token": report.follow_token,
        },
    )
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


@task()
def send_report_received(report_id: int) -> None:
    from thesaban.reports.models import Report

    report = Report.objects.select_related("municipality", "category", "reporter").get(pk=report_id)
    address = report.reporter_email or (report.reporter.email if report.reporter else "")
    if not address:
        return
    language = report.reporter.preferred_language if report.reporter else "th"
    with translation.override(language):
        context = {
            "report": report,
            "report_url": _report_url(report),
            "follow_url": _follow_url(report),
        }
        subject = render_to_string("reports/email/received_subject.txt", context).strip()
        body = render_to_string("reports/email/received.txt", context)
    send_mail(subject, body, None, [address])


@task()
def send_report_changed(report_id: int, event_id: int) -> None:
    from thesaban.reports.models import Report, ReportEvent

    report = Report.objects.select_related("municipality", "category").get(pk=report_id)
    event = ReportEvent.objects.get(pk=event_id, report=report)
    if not event.is_public:
        return
    for follower in report.followers.select_related("user"):
        address = follower.user.email if follower.user_id else follower.email
        if not address:
            continue
        if follower.user_id and follower.user_id == event.actor_id:
            continue  # nobody needs an e-mail about what they just did
        language = follower.user.preferred_language if follower.user_id else "th"
        with translation.override(language):
            unsubscribe = settings.PUBLIC_BASE_URL.rstrip("/") + reverse(
                "reports:unfollow",
                kwargs={
                    "municipality": report.municipality.slug,
                    "code": report.tracking_code,
                    "token": follower.unsubscribe_token,
                },
            )
            context = {
                "report": report,
                "event": event,
                "report_url": _report_url(report),
                "unsubscribe_url": unsubscribe,
            }
            subject = render_to_string("reports/email/changed_subject.txt", context).strip()
            body = render_to_string("reports/email/changed.txt", context)
        send_mail(subject, body, None, [address])


def report_received(*, report_id: int) -> None:
    send_report_received.enqueue(report_id)


def report_changed(*, report_id: int, event_id: int) -> None:
    send_report_changed.enqueue(report_id, event_id)
