"""What each audit event says, in the reader's language: transitions take the
words of their declaration (custom["done"]), other events the labels below."""
from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects import workflow

LABELS = {
    "project.created": gettext_lazy("Project created"),
    "project.edited": gettext_lazy("Project details changed (version %(version)s)"),
    "party.invited": gettext_lazy("%(party)s invited as %(role)s"),
    "party.public_consent": gettext_lazy("Public summary: %(consent)s"),
    "agreement.created": gettext_lazy("Agreement drafted (version %(version)s)"),
    "agreement.edited": gettext_lazy("Agreement text changed (version %(version)s)"),
    "agreement.document": gettext_lazy("Document uploaded: %(name)s (version %(version)s)"),
    "milestone.created": gettext_lazy("Milestone added: %(title)s, due %(due_on)s"),
    "milestone.edited": gettext_lazy("Milestone changed: %(title)s"),
    "milestone.status": gettext_lazy("Milestone “%(title)s” is now %(status)s"),
    "milestone.overdue": gettext_lazy("Milestone overdue: %(title)s, due %(due_on)s"),
    "kpi.created": gettext_lazy("KPI added: %(name)s"),
    "kpi.measured": gettext_lazy("KPI “%(name)s” measured: %(value)s %(unit)s on %(measured_on)s"),
}


class _Defaults(dict):
    def __missing__(self, key):
        return "?"


def _models() -> dict:
    from projects.models import Agreement, Project, ProjectParty

    return {"project": Project, "party": ProjectParty, "agreement": Agreement}


def _translate_codes(data: dict) -> None:
    """Codes are stored; their labels are read in the reader's language."""
    from projects.models import Milestone, ProjectParty

    for key, choices in (("role", ProjectParty.Role), ("status", Milestone.Status)):
        if key in data:
            try:
                data[key] = str(choices(data[key]).label)
            except ValueError:
                pass


def describe(event) -> str:
    """One line for the timeline, a notification or an email."""
    data = _Defaults(event.data or {})
    _translate_codes(data)
    if event.action == "party.public_consent":
        data["consent"] = _("agreed") if data.get("consent") else _("withdrawn")
    model = _models().get(event.subject)
    if model is not None and event.what in workflow.transition_names(model):
        text = str(workflow.describe(model, event.what)["done"])
        if event.action == "agreement.approve":
            text = _("Approved version %(version)s") % data
        elif event.action == "agreement.sign":
            text = _("Signed by %(signatory)s on %(signed_on)s (version %(version)s)") % data
        if event.action in ("agreement.approve", "agreement.sign") and event.to_state != event.from_state:
            text = _("%(step)s — every party has now done so") % {"step": text}
        return text
    label = LABELS.get(event.action)
    return str(label) % data if label is not None else event.action


def state_label(event, code: str) -> str:
    """A stored state code, in the reader's language, read from the subject's own state field."""
    model = _models().get(event.subject)
    if not code or model is None:
        return code
    return str(dict(workflow.state_field(model).choices).get(code, code))
