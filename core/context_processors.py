from django.conf import settings


def site(request):
    """What the base template needs on every page: the acting organisation and coordinator flag."""
    user = getattr(request, "user", None)
    context = {"SITE_URL": settings.SITE_URL}
    if user is not None and user.is_authenticated:
        from partners.permissions import is_coordinator

        context["acting_organisation"] = user.acting_organisation
        context["user_is_coordinator"] = is_coordinator(user)
        from core.selectors import unread_count

        context["unread_notifications"] = unread_count(user=user)
    return context
