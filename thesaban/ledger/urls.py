from django.urls import path

from thesaban.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.ledger_index, name="index"),
    path("tree-head.json", views.tree_head, name="tree_head"),
    path("public-key.pem", views.public_key_pem, name="public_key"),
    path("entries/<int:index>.json", views.entry_json, name="entry_json"),
    path("entries/<int:index>/", views.entry_page, name="entry"),
    path("proof/inclusion.json", views.inclusion_proof, name="inclusion"),
    path("proof/consistency.json", views.consistency_proof, name="consistency"),
]
