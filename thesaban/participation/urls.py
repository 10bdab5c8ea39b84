from django.urls import path

from thesaban.participation import views

app_name = "participation"
urlpatterns = [
    path("", views.process_list, name="processes"),
    path("profile/", views.profile, name="profile"),
    path("you-said-we-did/", views.you_said_we_did, name="you_said_we_did"),
    path("<slug:process>/", views.process_detail, name="process"),
    path("<slug:process>/proposals/", views.proposal_list, name="proposals"),
    path("<slug:process>/proposals/new/", views.proposal_new, name="proposal_new"),
    path("<slug:process>/proposals/<int:number>/", views.proposal_detail, name="proposal"),
    path(
        "<slug:process>/proposals/<int:number>/support/",
        views.proposal_support,
        name="proposal_support",
    ),
    path(
        "<slug:process>/proposals/<int:number>/comment/",
        views.proposal_comment,
        name="proposal_comment",
    ),
    path(
        "<slug:process>/comments/<int:comment_id>/upvote/",
        views.comment_upvote,
        name="comment_upvote",
    ),
    path("<slug:process>/flag/<str:kind>/<int:object_id>/", views.flag, name="flag"),
    path("<slug:process>/debates/", views.debate_list, name="debates"),
    path("<slug:process>/debates/new/", views.debate_new, name="debate_new"),
    path("<slug:process>/debates/<int:number>/", views.debate_detail, name="debate"),
    path(
        "<slug:process>/debates/<int:number>/comment/",
        views.debate_comment,
        name="debate_comment",
    ),
    path("<slug:process>/documents/<slug:document>/", views.document_detail, name="document"),
    path(
        "<slug:process>/documents/<slug:document>/<int:section_id>/position/",
        views.section_position,
        name="section_position",
    ),
    path(
        "<slug:process>/documents/<slug:document>/<int:section_id>/comment/",
        views.section_comment,
        name="section_comment",
    ),
    path("<slug:process>/results/<int:number>/", views.result_detail, name="result"),
]
