from __future__ import annotations

from rest_framework import serializers

from anjian.core.api import BriefModelSerializer
from anjian.orgs.models import OrgAlias, OrgUnit, User


class OrgUnitSerializer(BriefModelSerializer[OrgUnit]):
    aliases: serializers.SlugRelatedField[OrgAlias] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )
    members: serializers.SlugRelatedField[OrgUnit] = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="name"
    )

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "full_name", "kind", "aliases", "members", "contact", "is_active"]
        brief_fields = ["id", "code", "name"]


class MeSerializer(serializers.ModelSerializer[User]):
    org = OrgUnitSerializer(brief=True, read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "role", "org"]
