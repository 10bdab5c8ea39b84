"""The open-data back office, under /<slug>/staff/opendata/ (reverse as staff:opendata:<name>)."""

from django.urls import path

from thesaban.opendata import staff_views as views

app_name = "opendata"
urlpatterns = [
    path("", views.index, name="index"),
    path("imports/new/", views.import_new, name="import_new"),
    path("imports/<int:job>/", views.import_detail, name="import"),
    path("budget/<int:year>/", views.budget, name="budget"),
    path("budget/<int:year>/change/", views.budget_change, name="budget_change"),
    path("budget/<int:year>/payment/", views.disbursement_new, name="payment_new"),
    path("budget/<int:year>/award/", views.award_new, name="award_new"),
    path("projects/new/", views.project_edit, name="project_new"),
    path("projects/<slug:project>/", views.project_edit, name="project"),
    path("datasets/standard/", views.datasets_standard, name="datasets_standard"),
    path("datasets/new/", views.dataset_edit, name="dataset_new"),
    path("datasets/<slug:dataset>/", views.dataset_edit, name="dataset"),
    path("datasets/<slug:dataset>/upload/", views.resource_upload, name="resource_upload"),
]
