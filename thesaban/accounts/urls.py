from django.contrib.auth import views as auth_views
from django.urls import path

from thesaban.accounts import token_views, views
from thesaban.accounts.forms import LoginForm

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", authentication_form=LoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", views.profile, name="profile"),
    path("me/national-id/", views.national_id, name="national_id"),
    path("me/tokens/", token_views.access_tokens, name="tokens"),
]
