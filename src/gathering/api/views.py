"""API views about the signed-in person: who am I, and my API tokens."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gathering.accounts import selectors, services
from gathering.accounts.models import ApiToken
from gathering.accounts.second_factor import session_passed_second_factor, session_recently_reauthenticated

from .serializers import ApiTokenCreatedSerializer, ApiTokenSerializer, MeSerializer


class MeView(APIView):
    @extend_schema(responses=MeSerializer, summary="The signed-in person")
    def get(self, request: Request) -> Response:
        return Response(MeSerializer(request.user).data)


class TokenListView(generics.ListCreateAPIView):
    serializer_class = ApiTokenSerializer

    def get_queryset(self):
        return selectors.api_tokens_for(user=self.request.user)

    @extend_schema(
        request=ApiTokenSerializer, responses={201: ApiTokenCreatedSerializer}, summary="Make a token"
    )
    def post(self, request: Request) -> Response:
        # A stolen token must not be able to make more of itself, and a stolen session must not either
        # without the password: tokens are made only by a session that signed in or confirmed it recently.
        if request.auth is not None:
            raise PermissionDenied(_("A token cannot make tokens. Make one on your account page."))
        if not session_recently_reauthenticated(request=request._request):
            raise PermissionDenied(
                _("Confirm your password on the API tokens page of your account, then try again.")
            )
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(
            user=request.user,
            name=serializer.validated_data["name"],
            second_factor=session_passed_second_factor(request=request._request, user=request.user),
        )
        token.key = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)


class TokenDetailView(APIView):
    @extend_schema(responses={204: None}, summary="Revoke a token")
    def delete(self, request: Request, token_id: int) -> Response:
        try:
            services.api_token_revoke(user=request.user, token_id=token_id)
        except ApiToken.DoesNotExist:
            raise Http404 from None
        return Response(status=status.HTTP_204_NO_CONTENT)
