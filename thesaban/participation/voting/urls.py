from django.urls import path

from thesaban.participation.voting import views

app_name = "voting"
urlpatterns = [
    path("", views.index, name="index"),
    path("polls/<int:poll_id>/", views.poll_detail, name="poll"),
    path("polls/<int:poll_id>/vote/", views.poll_vote, name="poll_vote"),
    path("budgets/<int:budget_id>/", views.budget_detail, name="budget"),
    path("budgets/<int:budget_id>/checkout/", views.checkout, name="checkout"),
    path(
        "budgets/<int:budget_id>/projects/<int:project_id>/", views.project_detail, name="project"
    ),
    path(
        "budgets/<int:budget_id>/projects/<int:project_id>/add/",
        views.basket_add,
        name="basket_add",
    ),
    path(
        "budgets/<int:budget_id>/projects/<int:project_id>/remove/",
        views.basket_remove,
        name="basket_remove",
    ),
]
