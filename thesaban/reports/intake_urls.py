"""Assisted intake at a digital centre (/<slug>/staff/intake/), inside the guarded staff
namespace: reverse as `staff:intake:<name>`."""

from django.urls import path

from thesaban.reports import intake_views as views

app_name = "intake"
urlpatterns = [
    path("", views.intake_new, name="new"),
    path("<str:code>/receipt/", views.intake_receipt, name="receipt"),
]
