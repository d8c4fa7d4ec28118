"""Project and agreement pages: parse input, call a service or selector, render."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import DomainError, ErrorKind
from core.views import add_domain_error, raise_or_flash
from partners.views import coordinator_required
from research.selectors import evaluations_for_project
from projects import permissions as rules
from projects import selectors, services, workflow
from projects.documents import CONTENT_TYPES
from projects.forms import (
    AgreementCreateForm,
    AgreementEditForm,
    DocumentUploadForm,
    KPIForm,
    MeasurementForm,
    MilestoneForm,
    MilestoneStatusForm,
    PartyAddForm,
    ProjectEditForm,
    ProjectForm,
    SignatureForm,
    StepForm,
)
from projects.models import Agreement, Project, ProjectParty

PUBLIC_PAGE_SIZE = 20


def _flash_form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _keep_input(form_class, request, version: int):
    """The user's input as they typed it, now based on the version they have been shown:
    saving again is a deliberate choice made with both texts in view."""
    data = request.POST.copy()
    data["version"] = str(version)
    form = form_class(data)
    form.is_valid()
    return form


def _done(model, name: str) -> str:
    return str(workflow.describe(model, name)["done"])


# --- Projects ---------------------------------------------------------------------


@login_required
def project_list(request):
    return render(request, "projects/project_list.html", {
        "projects": selectors.project_list_for_user(user=request.user),
        "can_create": rules.can_create_projects(request.user),
    })


def project_public_list(request):
    page = Paginator(selectors.project_public_list(), PUBLIC_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "projects/public_list.html", {"page": page, "query": ""})


def project_public(request, pk: int):
    project = selectors.project_public_get(pk=pk)
    return render(request, "projects/public_summary.html", {"project": project})


@coordinator_required
def project_create(request):
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_create(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Project created. Add its parties: each is invited to accept."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "creating": True})


@login_required
def project_detail(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    context = selectors.project_detail(project=project, user=request.user)
    context.update({
        "party_form": PartyAddForm(),
        "milestone_form": MilestoneForm(agreements=context["agreements"]),
        "kpi_form": KPIForm(),
        "measurement_form": MeasurementForm(),
        "proposal": project.proposal,
        "evaluations": evaluations_for_project(project=project, user=request.user),
    })
    return render(request, "projects/project_detail.html", context)


@login_required
def project_edit(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk, write=True)
    initial = {"title": project.title, "summary": project.summary, "city": project.city, "country": project.country,
               "topics": list(project.topics.values_list("pk", flat=True)), "version": project.version}
    form = ProjectEditForm(request.POST or None, initial=initial)
    theirs, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            project = services.project_update(project=project, by=request.user, **form.cleaned_data)
        except DomainError as error:
            status = error.status
            current = Project.objects.get(pk=project.pk)
            if error.kind is ErrorKind.CONFLICT and current.version != form.cleaned_data["version"]:
                theirs = current
                form = _keep_input(ProjectEditForm, request, theirs.version)
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project, "theirs": theirs},
                  status=status)


@login_required
@require_POST
def project_step(request, pk: int, name: str):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if name not in services.PROJECT_STEPS:
        raise Http404(_("There is no such step."))
    form = StepForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.PROJECT_STEPS[name](project=project, by=request.user, comment=comment)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _done(Project, name))
    return redirect(project)


@coordinator_required
@require_POST
def party_add(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    form = PartyAddForm(request.POST)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(project)
    try:
        services.party_add(project=project, by=request.user, **form.cleaned_data)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("%(name)s is invited.") % {"name": form.cleaned_data["organisation"].name})
    return redirect(project)


@login_required
@require_POST
def party_step(request, pk: int, name: str):
    party = selectors.party_get_for_user(user=request.user, pk=pk)
    if name not in services.PARTY_STEPS:
        raise Http404(_("There is no such step."))
    form = StepForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.PARTY_STEPS[name](party=party, by=request.user, comment=comment)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _done(ProjectParty, name))
    return redirect(party.project)


@login_required
@require_POST
def party_consent(request, pk: int):
    party = selectors.party_get_for_user(user=request.user, pk=pk)
    consent = request.POST.get("consent") in ("1", "true", "on", "yes")
    try:
        services.party_set_public_consent(party=party, by=request.user, consent=consent)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(party.project)


# --- Agreements -------------------------------------------------------------------


@login_required
def agreement_create(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    if not rules.can_work_on_project(request.user, project):
        raise PermissionDenied(_("Only the members of the parties and the coordinators draft agreements."))
    form = AgreementCreateForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_create(project=project, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Draft saved. Submit it for review when it is ready."))
            return redirect(agreement)
    return render(request, "projects/agreement_form.html", {"form": form, "project": project, "creating": True})


@login_required
def agreement_detail(request, pk: int):
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    context = selectors.agreement_detail(agreement=agreement, user=request.user)
    context.update({
        "upload_form": DocumentUploadForm(initial={"version": agreement.version}),
        "signature_form": SignatureForm(initial={"version": agreement.version}),
    })
    return render(request, "projects/agreement_detail.html", context)


@login_required
def agreement_edit(request, pk: int):
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    if not rules.can_work_on_project(request.user, agreement.project):
        raise PermissionDenied(_("Only the members of the parties and the coordinators change agreements."))
    initial = {"type": agreement.type, "title": agreement.title, "text": agreement.text,
               "effective_date": agreement.effective_date, "version": agreement.version}
    form = AgreementEditForm(request.POST or None, initial=initial)
    theirs, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            agreement = services.agreement_update(agreement=agreement, by=request.user, **form.cleaned_data)
        except DomainError as error:
            status = error.status
            current = Agreement.objects.get(pk=agreement.pk)
            if error.kind is ErrorKind.CONFLICT and current.version != form.cleaned_data["version"]:
                theirs = current
                form = _keep_input(AgreementEditForm, request, theirs.version)
            add_domain_error(form, error)
        else:
            messages.success(request, _("Saved as version %(version)s.") % {"version": agreement.version})
            return redirect(agreement)
    return render(request, "projects/agreement_form.html",
                  {"form": form, "project": agreement.project, "agreement": agreement, "theirs": theirs}, status=status)


@login_required
@require_POST
def agreement_upload(request, pk: int):
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    form = DocumentUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(agreement)
    try:
        version = services.agreement_document_upload(agreement=agreement, by=request.user, **form.cleaned_data)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Uploaded as version %(version)s.") % {"version": version.number})
    return redirect(agreement)


def _step_arguments(name: str, form) -> dict:
    data = form.cleaned_data
    kwargs = {"comment": data.get("comment") or ""}
    if name in ("approve", "sign"):
        kwargs.update(version=data.get("version"), organisation=data.get("organisation"))
    if name == "sign":
        kwargs.update(signatory=data["signatory"], signed_on=data["signed_on"], signed_copy=data["signed_copy"])
    return kwargs


@login_required
@require_POST
def agreement_step(request, pk: int, name: str):
    agreement = selectors.agreement_get_for_user(user=request.user, pk=pk)
    if name not in services.AGREEMENT_STEPS:
        raise Http404(_("There is no such step."))
    form = (SignatureForm if name == "sign" else StepForm)(request.POST, request.FILES)
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(agreement)
    try:
        services.AGREEMENT_STEPS[name](agreement=agreement, by=request.user, **_step_arguments(name, form))
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _done(Agreement, name))
    return redirect(agreement)


def _download(fieldfile, name: str, kind: str) -> FileResponse:
    try:
        handle = fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404(_("No such document."))
    return FileResponse(handle, as_attachment=True, filename=name or fieldfile.name.rsplit("/", 1)[-1],
                        content_type=CONTENT_TYPES.get(kind, "application/octet-stream"))


@login_required
def document_download(request, pk: int):
    version = selectors.agreement_version_get_for_user(user=request.user, pk=pk)
    return _download(version.document, version.document_name, version.document_kind)


@login_required
def signature_download(request, pk: int):
    signature = selectors.signature_get_for_user(user=request.user, pk=pk)
    return _download(signature.signed_copy, signature.signed_copy_name, signature.signed_copy_kind)


# --- Milestones and KPIs ----------------------------------------------------------


def _submit(request, form, *, back_to, action, done: str):
    """Validate a small form posted from the project page, run its service, go back."""
    if not form.is_valid():
        _flash_form_errors(request, form)
        return redirect(back_to)
    try:
        action(**form.cleaned_data)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, done)
    return redirect(back_to)


@login_required
@require_POST
def milestone_create(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    form = MilestoneForm(request.POST, agreements=project.agreements.all())
    return _submit(request, form, back_to=project, done=_("Milestone added."),
                   action=lambda **data: services.milestone_create(project=project, by=request.user, **data))


@login_required
@require_POST
def milestone_update(request, pk: int):
    milestone = selectors.milestone_get_for_user(user=request.user, pk=pk)
    return _submit(
        request, MilestoneStatusForm(request.POST), back_to=milestone.project, done=_("Milestone saved."),
        action=lambda **data: services.milestone_update(
            milestone=milestone, by=request.user, **{k: v for k, v in data.items() if v}
        ),
    )


@login_required
@require_POST
def kpi_create(request, pk: int):
    project = selectors.project_get_for_user(user=request.user, pk=pk)
    return _submit(request, KPIForm(request.POST), back_to=project, done=_("KPI added."),
                   action=lambda **data: services.kpi_create(project=project, by=request.user, **data))


@login_required
@require_POST
def kpi_measure(request, pk: int):
    kpi = selectors.kpi_get_for_user(user=request.user, pk=pk)
    return _submit(request, MeasurementForm(request.POST), back_to=kpi.project, done=_("Measurement recorded."),
                   action=lambda **data: services.kpi_measurement_record(kpi=kpi, by=request.user, **data))
    try:
        services.kpi_measurement_record(kpi=kpi, by=request.user, **form.cleaned_data)
    except DomainError as error:
        raise_or_flash(request, error)
    else:
        messages.success(request, _("Measurement recorded."))
    return redirect(kpi.project)
