from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from projects import selectors


@login_required
def project_list(request):
    return render(request, "projects/project_list.html", {"projects": selectors.project_list_for_user(user=request.user)})


@login_required
def project_detail(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    return render(
        request, "projects/project_detail.html",
        {"project": project, "parties": project.parties.select_related("organisation"), "proposal": project.proposal},
    )
