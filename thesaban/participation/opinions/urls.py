from django.urls import path

from thesaban.participation.opinions import views

app_name = "opinions"
urlpatterns = [
    path("<slug:process>/", views.process_opinions, name="process"),
    path("<slug:process>/statements/new/", views.statement_new, name="statement_new"),
    path("<slug:process>/statements/<int:statement_id>/vote/", views.vote, name="vote"),
]
