"""Public readiness pages, mounted at /<slug>/readiness/."""

from django.urls import path

from thesaban.readiness import views

app_name = "readiness"
urlpatterns = [
    path("", views.results, name="results"),
    path("survey/", views.survey_list, name="survey_list"),
    path("survey/<int:round_id>/", views.survey, name="survey"),
]
