"""A person's own account pages (allauth's sign-in, email and password pages live under /accounts/)."""

from django.urls import path

from . import email_views, views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/revoke-all/", views.tokens_revoke_all, name="tokens_revoke_all"),
    path("delete/", views.delete_account, name="delete"),
    path("email/undo/<str:token>/", email_views.email_change_undo_view, name="email_change_undo"),
]
