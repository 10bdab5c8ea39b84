"""Staff pages of opinion groups, under /<slug>/staff/opinions/ in the guarded `staff`
namespace: reverse as `staff:opinions:<name>`."""

from django.urls import path

from thesaban.participation.opinions import staff_views as views

app_name = "opinions"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:process>/", views.process_detail, name="process"),
    path(
        "<slug:process>/statements/<int:statement_id>/moderate/",
        views.moderate,
        name="moderate",
    ),
    path("<slug:process>/recompute/", views.recompute, name="recompute"),
]
