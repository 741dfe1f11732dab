"""Serializers for the people part of the API."""

from rest_framework import serializers

from gathering.accounts.models import ApiToken, User

from .strict import StrictTypes, non_blank_text


class MeSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "name", "preferred_name", "display_name", "pronouns", "time_zone", "roles"]
        read_only_fields = fields

    def get_roles(self, user: User) -> list[str]:
        from gathering.accounts.selectors import user_role_slugs

        return sorted(user_role_slugs(user=user))


class ApiTokenSerializer(StrictTypes, serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "hint", "created_at", "last_used_at"]
        read_only_fields = ["id", "hint", "created_at", "last_used_at"]
        extra_kwargs = {"name": {"validators": [non_blank_text]}}


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    key = serializers.CharField(read_only=True, help_text="Shown once; only its hash is stored.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
