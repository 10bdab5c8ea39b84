from django.urls import path

from thesaban.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("map/", views.report_map, name="map"),
    path("map.json", views.report_map_data, name="map_data"),
    path("new/", views.report_new, name="new"),
    path("duplicates.json", views.report_duplicates, name="duplicates"),
    path("<str:code>/", views.report_detail, name="detail"),
    path("<str:code>/support/", views.report_support, name="support"),
    path("<str:code>/comment/", views.report_comment, name="comment"),
    path("<str:code>/follow/", views.report_follow, name="follow"),
    path("<str:code>/unfollow/<str:token>/", views.report_unfollow, name="unfollow"),
    path("<str:code>/t/<str:token>/", views.report_follow_link, name="follow_link"),
    path("<str:code>/rate/", views.report_rate, name="rate"),
    path("<str:code>/reopen/", views.report_reopen, name="reopen"),
]
