"""Staff back office of reports. Mounted by core/staff_urls.py inside the `staff` namespace, which the tenancy middleware
guards: only staff of this municipality get past it."""

from django.urls import path

from thesaban.reports import staff_views as views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("queue/", views.queue, name="queue"),
    path("queue/bulk/", views.bulk_action, name="bulk"),
    path("reports/<str:code>/", views.report_detail, name="report"),
    path("reports/<str:code>/transition/", views.report_transition, name="transition"),
    path("reports/<str:code>/assign/", views.report_assign, name="assign"),
    path("reports/<str:code>/note/", views.report_note, name="note"),
    path("reports/<str:code>/category/", views.report_recategorise, name="recategorise"),
    path("reports/<str:code>/merge/", views.report_merge, name="merge"),
]
