"""API routes: /api/v1/... and the OpenAPI 3 schema at /api/schema/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from . import views

v1 = [
    path("me/", views.MeView.as_view(), name="me"),
    path("me/tokens/", views.TokenListView.as_view(), name="tokens"),
    path("me/tokens/<int:token_id>/", views.TokenDetailView.as_view(), name="token"),
]

app_name = "api"
urlpatterns = [
    path("v1/", include((v1, "v1"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
]
