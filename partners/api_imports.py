"""API endpoint for coordinators' imports of smartcity-listings/1 documents."""
from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions as drf_permissions
from rest_framework import status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from partners import permissions
from partners.interchange import MAX_DOCUMENT_BYTES, ImportInvalid, listings_import


class IsCoordinator(drf_permissions.BasePermission):
    # A DRF face for partners.permissions.is_coordinator (kept beside its only user).
    message = _("Only coordinators may import listings.")

    def has_permission(self, request, view) -> bool:
        return permissions.is_coordinator(request.user)


class ListingsImportView(APIView):
    """Import a smartcity-listings/1 document (the request body), all or nothing.

    200 with the counts created/updated/unchanged per section; 400 with `detail`
    (the whole message) and `errors` (one line per problem, naming its record)."""

    permission_classes = [drf_permissions.IsAuthenticated, IsCoordinator]
    parser_classes = [JSONParser]

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: OpenApiTypes.OBJECT, 400: OpenApiResponse(description="The document is invalid; nothing was imported."),
                   413: OpenApiResponse(description="The document is larger than 10 MB.")},
    )
    def post(self, request):
        # DRF streams the body past Django's DATA_UPLOAD_MAX_MEMORY_SIZE check: bound it here.
        if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_DOCUMENT_BYTES:
            return Response({"detail": _("The document is larger than 10 MB.")}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        try:
            summary = listings_import(document=request.data, by=request.user)
        except ImportInvalid as error:
            return Response({"detail": error.message, "errors": error.errors}, status=status.HTTP_400_BAD_REQUEST)
        return Response(summary)
