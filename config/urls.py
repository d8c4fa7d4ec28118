from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import ObtainTokenView
from core import views as core_views
from matchmaking.api import ProposalViewSet
from projects import api as projects_api
from research import api as research_api
from partners.api_imports import ListingsImportView
from partners.api import (
    ActingOrganisationView,
    CapabilityViewSet,
    MembershipViewSet,
    MeView,
    NeedViewSet,
    OrganisationViewSet,
    TopicViewSet,
)

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("needs", NeedViewSet, basename="need")
router.register("capabilities", CapabilityViewSet, basename="capability")
router.register("topics", TopicViewSet, basename="topic")
router.register("proposals", ProposalViewSet, basename="proposal")
projects_api.register(router)
research_api.register(router)

api_v1 = [
    path("", include(router.urls)),
    path("me/", MeView.as_view(), name="me"),
    path("me/acting-organisation/", ActingOrganisationView.as_view(), name="me-acting-organisation"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("imports/listings/", ListingsImportView.as_view(), name="listings-import"),
]

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    # Only logos are public files; every other upload is served by a view that checks access.
    path("media/logos/<path:path>", serve, {"document_root": settings.MEDIA_ROOT / "logos"}),
]

urlpatterns += i18n_patterns(
    path("", core_views.home, name="home"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/read/", core_views.notifications_read, name="notifications_read"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("", include("partners.urls")),
    path("", include("matchmaking.urls")),
    path("", include("projects.urls")),
    path("", include("research.urls")),
    prefix_default_language=False,
)
