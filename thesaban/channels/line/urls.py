from django.urls import path

from thesaban.channels.line import views

app_name = "line"
urlpatterns = [path("webhook", views.webhook, name="webhook")]
