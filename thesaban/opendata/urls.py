from django.urls import path

from thesaban.opendata import views

app_name = "opendata"
urlpatterns = [
    path("", views.home, name="home"),
    path("budget/<int:year>/", views.budget_year, name="budget"),
    path("budget/<int:year>/procurement/", views.procurement, name="procurement"),
    path("budget/<int:year>/disbursements/", views.disbursements, name="disbursements"),
    path("projects/", views.project_list, name="projects"),
    path("projects/<slug:project>/", views.project_detail, name="project"),
    path("datasets/", views.dataset_list, name="datasets"),
    path("datasets/<slug:dataset>/", views.dataset_detail, name="dataset"),
    path(
        "datasets/<slug:dataset>/<uuid:resource>/download", views.resource_download, name="download"
    ),
    path("catalog.jsonld", views.dcat_catalog, name="dcat"),
]
