"""Staff pages of polls and budgets, under /<slug>/staff/votes/ in the guarded `staff`
namespace: reverse as `staff:voting:<name>`."""

from django.urls import path

from thesaban.participation.voting import staff_views as views

app_name = "voting"
urlpatterns = [
    path("", views.index, name="index"),
    path("polls/new/", views.poll_create, name="poll_create"),
    path("polls/<int:poll_id>/", views.poll_detail, name="poll"),
    path("polls/<int:poll_id>/edit/", views.poll_edit, name="poll_edit"),
    path("polls/<int:poll_id>/publish/", views.poll_publish, name="poll_publish"),
    path("polls/<int:poll_id>/options/new/", views.option_create, name="option_create"),
    path(
        "polls/<int:poll_id>/options/<int:option_id>/edit/", views.option_edit, name="option_edit"
    ),
    path(
        "polls/<int:poll_id>/options/<int:option_id>/delete/",
        views.option_delete,
        name="option_delete",
    ),
    path("budgets/new/", views.budget_create, name="budget_create"),
    path("budgets/<int:budget_id>/", views.budget_detail, name="budget"),
    path("budgets/<int:budget_id>/edit/", views.budget_edit, name="budget_edit"),
    path("budgets/<int:budget_id>/publish/", views.budget_publish, name="budget_publish"),
    path("budgets/<int:budget_id>/projects/new/", views.project_create, name="project_create"),
    path(
        "budgets/<int:budget_id>/projects/<int:project_id>/edit/",
        views.project_edit,
        name="project_edit",
    ),
    path(
        "budgets/<int:budget_id>/projects/<int:project_id>/delete/",
        views.project_delete,
        name="project_delete",
    ),
]
