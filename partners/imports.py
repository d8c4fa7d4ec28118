"""Pages for coordinators' imports of smartcity-listings/1 files (upload, progress)."""
from __future__ import annotations

import json

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners import interchange
from partners.views import coordinator_required

RECENT_JOBS = 10


class ImportUploadForm(forms.Form):
    # Kept beside its only view: it checks the upload's shape (size, JSON, format tag);
    # the records themselves are checked by the import.
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("A smartcity-listings/1 JSON file, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,application/json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > interchange.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        try:
            document = json.loads(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise forms.ValidationError(_("This file is not JSON: it is not UTF-8 text."))
        except json.JSONDecodeError as error:
            raise forms.ValidationError(
                _("This file is not JSON (line %(line)d, column %(column)d: %(problem)s).")
                % {"line": error.lineno, "column": error.colno, "problem": error.msg}
            )
        if not isinstance(document, dict) or document.get("format") != interchange.FORMAT:
            raise forms.ValidationError(
                _("This JSON file is not a %(format)s document: its \"format\" must be \"%(format)s\".") % {"format": interchange.FORMAT}
            )
        self.cleaned_data["document"] = document
        return upload


@coordinator_required
def import_upload(request):
    form = ImportUploadForm(request.POST, request.FILES) if request.method == "POST" else ImportUploadForm()
    if request.method == "POST" and form.is_valid():
        job = interchange.import_job_create(
            document=form.cleaned_data["document"], filename=form.cleaned_data["file"].name, by=request.user
        )
        return redirect("partners:import_status", pk=job.pk)
    recent = interchange.import_job_list_for_user(user=request.user)[:RECENT_JOBS]
    return render(request, "partners/import_upload.html", {"form": form, "recent": recent, "format": interchange.FORMAT})


@coordinator_required
def import_status(request, pk: int):
    job = interchange.import_job_get_for_user(user=request.user, pk=pk)
    heading, *errors = job.error.splitlines() or [""]
    summary = [
        (label, job.summary.get(section, {}))
        for section, label in (("organisations", _("Organisations")), ("needs", _("Needs")), ("capabilities", _("Capabilities")))
    ]
    return render(
        request, "partners/import_status.html",
        {
            "job": job,
            "in_progress": job.status in (job.Status.QUEUED, job.Status.RUNNING),
            "summary": summary if job.summary else [],
            "error_heading": heading,
            "errors": errors,
        },
    )
