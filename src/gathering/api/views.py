"""API views about the signed-in person: who am I, and my API tokens."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gathering.accounts import selectors, services
from gathering.accounts.models import ApiToken

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
        serializer = ApiTokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token, key = services.api_token_create(user=request.user, name=serializer.validated_data["name"])
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
