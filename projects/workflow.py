"""The vocabulary of the workflow declaration in projects.models, and the one
reader of it that services, pages, API and tests share.

A transition is declared once with django-fsm-2's `@transition`: its source and
target states, `permission=` (who may fire it, from projects.permissions),
`conditions=` (guards, below, each with the message shown when it fails) and
`custom=` (what the pages and the timeline call it, and whether it needs a comment).
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import Transition

from core.exceptions import conflict, forbidden, invalid

NO_COMMENT, OPTIONAL_COMMENT, REQUIRED_COMMENT = "none", "optional", "required"


def step(label, done, *, who, comment: str = NO_COMMENT, danger: bool = False, form: str = "", auto: bool = False) -> dict:
    """The `custom=` part of a declaration.

    label: the button; done: the timeline's words for it; who: whom the rule lets
    fire it, in words; form: the extra input it takes ("signature", "approval");
    auto: the platform fires it (no button, no endpoint)."""
    return {"label": label, "done": done, "who": who, "comment": comment, "danger": danger, "form": form, "auto": auto}


def guard(message) -> Callable:
    """A condition that says why it failed."""

    def mark(condition: Callable) -> Callable:
        condition.message = message
        return condition

    return mark


# --- Guards -----------------------------------------------------------------------

RUNNING_STAGES = ("active", "pilot", "scaling")
OPEN_AGREEMENT_STATES = ("draft", "in_review", "agreed", "signed", "in_force")


@guard(gettext_lazy("Every invited party must accept first, and a project needs at least two parties."))
def all_parties_accepted(project) -> bool:
    statuses = [p.status for p in project.parties.all() if p.status != "declined"]
    return len(statuses) >= 2 and all(s == "accepted" for s in statuses)


@guard(gettext_lazy("Its agreements must be completed, withdrawn or terminated first."))
def no_open_agreements(project) -> bool:
    return not project.agreements.filter(state__in=OPEN_AGREEMENT_STATES).exists()


@guard(gettext_lazy("The project is over: it takes no more answers."))
def project_still_open(party) -> bool:
    return party.project.stage not in ("completed", "cancelled")


@guard(gettext_lazy("Write the text or upload a document first."))
def has_content(agreement) -> bool:
    return bool(agreement.text.strip() or agreement.document)


@guard(gettext_lazy("Agreements go to review once the project is active (every party has accepted)."))
def project_running(agreement) -> bool:
    return agreement.project.stage in RUNNING_STAGES


@guard(gettext_lazy("The effective date has not come yet."))
def effective_date_reached(agreement) -> bool:
    return agreement.effective_date is not None and agreement.effective_date <= timezone.localdate()


@guard(gettext_lazy("Its milestones must all be done first."))
def milestones_done(agreement) -> bool:
    return not agreement.milestones.exclude(status="done").exists()


# --- Reading the declaration --------------------------------------------------------


def state_field(model):
    from django_fsm import FSMFieldMixin

    return next(f for f in model._meta.fields if isinstance(f, FSMFieldMixin))


def transition_names(model) -> list[str]:
    """Every transition declared on the model's state field, in declaration order."""
    field = state_field(model)
    return sorted(field.transitions[model], key=lambda name: inspect.unwrap(getattr(model, name)).__code__.co_firstlineno)


def declared(model, name: str) -> list[Transition]:
    """The transitions a name stands for, one per source state."""
    method = getattr(model, name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None or meta.field is not state_field(model):
        raise KeyError(name)
    return list(meta.transitions.values())


def describe(model, name: str) -> dict:
    """The custom part of a declared transition (label, done, who, comment ...)."""
    return declared(model, name)[0].custom


def user_transitions(model) -> list[str]:
    """The transitions a person fires (a button, an endpoint): not the platform's own."""
    return [n for n in transition_names(model) if not describe(model, n).get("auto")]


def _state_label(instance) -> str:
    field = state_field(type(instance))
    return str(dict(field.choices).get(getattr(instance, field.name), getattr(instance, field.name)))


def check(instance, name: str, user, *, comment: str = "") -> Transition:
    """May `user` fire `name` on `instance` now? 403 if the rule says no whatever the
    state, 409 if the state or a guard says no, 400 if a required comment is missing."""
    model = type(instance)
    try:
        transitions = declared(model, name)
    except KeyError:
        raise invalid(_("There is no such step."))
    custom = transitions[0].custom
    # One rule per name, whatever the source state (tests check the declaration keeps it so).
    if not transitions[0].has_perm(instance, user):
        raise forbidden(_("“%(step)s” is for %(who)s.") % {"step": custom["label"], "who": custom["who"]})
    meta = getattr(model, name)._django_fsm
    state = meta.field.get_state(instance)
    if not meta.has_transition(state):
        raise conflict(
            _("“%(step)s” is not possible while the %(thing)s is %(state)s.")
            % {"step": custom["label"], "thing": model._meta.verbose_name, "state": _state_label(instance)}
        )
    transition = meta.get_transition(state)
    for condition in transition.conditions or ():
        if not condition(instance):
            raise conflict(str(getattr(condition, "message", _("Not possible now."))))
    if custom.get("comment") == REQUIRED_COMMENT and not (comment or "").strip():
        raise invalid(_("Say why, in a comment: the other parties will read it."), field="comment")
    return transition


def available(instance, user) -> Iterator[Transition]:
    """What `user` may fire now (state, guards and rule all agree): the buttons to show."""
    model = type(instance)
    field = state_field(model)
    order = {name: i for i, name in enumerate(transition_names(model))}
    found = getattr(instance, f"get_available_user_{field.name}_transitions")(user)
    # In the order of the declaration, whatever order django-fsm collects them in.
    for transition in sorted(found, key=lambda t: order[t.name]):
        if not transition.custom.get("auto"):
            yield transition
