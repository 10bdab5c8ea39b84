"""Staff pages of the category suggester, under /<slug>/staff/insight/ in the guarded `staff`
namespace: reverse as `staff:insight:<name>`."""

from django.urls import path

from thesaban.insight import staff_views as views

app_name = "insight"
urlpatterns = [
    path("models/", views.models_index, name="models"),
    path("models/train/", views.model_train, name="train"),
    path("models/site-wide/", views.model_use_site_wide, name="use_site_wide"),
    path("models/<int:version>/activate/", views.model_activate, name="activate"),
    path("models/<int:version>/progress/", views.model_progress, name="progress"),
    path("labels/", views.labels, name="labels"),
    path("reports/<str:code>/suggestion/", views.suggestion_decide, name="decide"),
]
