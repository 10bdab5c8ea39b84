from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Proactive notifications: subscriptions, announcements and the durable outbox."""

    name = "thesaban.notifications"
    label = "notifications"
    verbose_name = _("Notifications")
    municipality_urls = [("notifications/", "thesaban.notifications.urls")]
    staff_urls = [("notifications/", "thesaban.notifications.staff_urls")]

    def ready(self) -> None:
        from thesaban.core.registry import (
            PublicSection,
            StaffSection,
            public_sections,
            staff_sections,
        )
        from thesaban.notifications import receivers, senders
        from thesaban.notifications.registry import register_sender
        from thesaban.reports.models import Report
        from thesaban.reports.signals import report_event_recorded

        register_sender("email", senders.send_email)
        register_sender("webhook", senders.send_webhook)
        report_event_recorded.connect(
            receivers.on_report_event_recorded,
            sender=Report,
            dispatch_uid="notifications.report_event_recorded",
        )
        public_sections.register(
            PublicSection(
                "announcements", _("Announcements"), "notifications:announcements", order=60
            )
        )
        staff_sections.register(
            StaffSection(
                "announcements",
                _("Announcements"),
                "staff:notifications:announcements",
                order=60,
                permission="notifications.view_announcements",
            )
        )
        staff_sections.register(
            StaffSection(
                "outbox",
                _("Notifications"),
                "staff:notifications:outbox",
                order=70,
                permission="notifications.view_outbox",
            )
        )
