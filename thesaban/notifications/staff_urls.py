"""Staff pages of notifications, under /<slug>/staff/notifications/ (guarded `staff`
namespace): reverse as `staff:notifications:<name>`."""

from django.urls import path

from thesaban.notifications import staff_views as views

app_name = "notifications"
urlpatterns = [
    path("", views.announcements, name="announcements"),
    path("outbox/", views.outbox, name="outbox"),
    path("outbox/retry/", views.outbox_retry, name="outbox_retry"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/delete/", views.webhook_delete, name="webhook_delete"),
]
