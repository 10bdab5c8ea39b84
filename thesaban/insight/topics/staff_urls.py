from django.urls import path

from thesaban.insight.topics import staff_views as views

app_name = "topics"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:process>/", views.scope, name="process"),
    path("<slug:process>/compute/", views.compute, name="compute"),
    path("<slug:process>/publish/", views.publish, name="publish"),
    path("<slug:process>/sections/<int:section_id>/", views.scope, name="section"),
    path(
        "<slug:process>/sections/<int:section_id>/compute/", views.compute, name="section_compute"
    ),
    path(
        "<slug:process>/sections/<int:section_id>/publish/", views.publish, name="section_publish"
    ),
]
