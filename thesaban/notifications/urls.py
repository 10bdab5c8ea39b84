"""Public pages of notifications, mounted at /<slug>/notifications/."""

from django.urls import path

from thesaban.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.subscribe, name="subscribe"),
    path("announcements/", views.announcements, name="announcements"),
    path("preferences/", views.preferences, name="preferences"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
