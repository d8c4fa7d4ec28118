from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import invalid


class TokenRequestSerializer(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class ObtainTokenView(APIView):
    """Exchange email and password for an API token (header `Authorization: Token <key>`)."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list = []

    @extend_schema(request=TokenRequestSerializer, responses=TokenSerializer)
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request, email=serializer.validated_data["email"].lower(), password=serializer.validated_data["password"])
        if user is None or not user.is_active:
            raise invalid(_("Unable to sign in with these credentials."))
        if not user.emailaddress_set.filter(verified=True).exists():
            raise invalid(_("Verify your email address first."))
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
