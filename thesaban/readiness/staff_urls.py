"""Readiness back office, mounted at /<slug>/staff/readiness/ in the guarded `staff` namespace."""

from django.urls import path

from thesaban.readiness import staff_views as views

app_name = "readiness"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("assessments/new/", views.assessment_start, name="assessment_start"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path(
        "assessments/<int:assessment_id>/complete/",
        views.assessment_complete,
        name="assessment_complete",
    ),
    path("assessments/<int:assessment_id>/export.csv", views.assessment_csv, name="assessment_csv"),
    path("assessments/<int:assessment_id>/export.pdf", views.assessment_pdf, name="assessment_pdf"),
    path("evidence/<int:file_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:file_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("publication/", views.publication, name="publication"),
    path("network/", views.network, name="network"),
    path("survey/", views.survey_rounds, name="survey_rounds"),
    path("survey/<int:round_id>/", views.survey_round, name="survey_round"),
]
