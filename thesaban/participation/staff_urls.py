from django.urls import path

from thesaban.participation import staff_views as views

app_name = "participation"
urlpatterns = [
    path("", views.home, name="home"),
    path("processes/new/", views.process_edit, name="process_new"),
    path("processes/<slug:process>/", views.process_edit, name="process"),
    path("processes/<slug:process>/phases/new/", views.phase_edit, name="phase_new"),
    path("processes/<slug:process>/phases/<int:phase_id>/", views.phase_edit, name="phase"),
    path(
        "processes/<slug:process>/proposals/<int:number>/answer/",
        views.proposal_answer,
        name="answer",
    ),
    path("processes/<slug:process>/results/new/", views.result_new, name="result_new"),
    path(
        "processes/<slug:process>/results/<int:number>/update/",
        views.result_update,
        name="result_update",
    ),
    path("moderation/<int:flag_id>/", views.moderate, name="moderate"),
]
