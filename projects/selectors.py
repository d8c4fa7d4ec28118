from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from partners.models import Membership
from partners.permissions import is_coordinator
from projects.models import Project
from projects.permissions import can_view_project


def project_get_for_user(*, user, pk: int) -> Project:
    project = Project.objects.select_related("proposal__need__organisation", "proposal__capability__organisation").filter(pk=pk).first()
    if project is None or not can_view_project(user, project):
        raise Http404(_("No such project."))
    return project


def project_list_for_user(*, user) -> QuerySet[Project]:
    qs = Project.objects.prefetch_related("parties__organisation").order_by("-created_at")
    if is_coordinator(user):
        return qs
    mine = Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values("organisation_id")
    return qs.filter(parties__organisation_id__in=mine).distinct()
