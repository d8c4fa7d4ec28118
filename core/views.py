from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET, require_POST

from core.exceptions import DomainError, ErrorKind
from core.health import health_report


def add_domain_error(form, error: DomainError) -> None:
    """Show a service's refusal beside the field it concerns (or above the form)."""
    field = error.field if error.field in getattr(form, "fields", {}) else None
    form.add_error(field, error.message)


def raise_or_flash(request, error: DomainError) -> None:
    """For action buttons: 403/404 stay errors; other refusals become a message on the page."""
    if error.kind is ErrorKind.FORBIDDEN:
        raise PermissionDenied(error.message)
    if error.kind is ErrorKind.NOT_FOUND:
        raise Http404(error.message)
    messages.error(request, error.message)


def home(request):
    from partners.selectors import directory_stats, organisation_directory
    from research.selectors import home_highlights

    latest = organisation_directory().order_by("-reviewed_at", "-created_at")[:6]
    return render(request, "core/home.html", {"stats": directory_stats(), "latest": latest, **home_highlights()})


@never_cache
@require_GET
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if report["ok"] else 503)


@login_required
def notifications(request):
    from django.core.paginator import Paginator

    from core.selectors import notification_list

    page = Paginator(notification_list(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page, "query": ""})


@login_required
@require_POST
def notifications_read(request):
    from django.shortcuts import redirect

    from core.services import notifications_mark_read

    ids = request.POST.getlist("id") or None
    notifications_mark_read(user=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None)
    return redirect("notifications")
