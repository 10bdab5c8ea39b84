"""Public network comparison pages, mounted at /networks/."""

from django.urls import path

from thesaban.readiness import network_views as views

app_name = "networks"
urlpatterns = [
    path("", views.network_list, name="list"),
    path("<slug:network>/", views.network_detail, name="detail"),
    path("<slug:network>/comparison.csv", views.network_csv, name="csv"),
]
