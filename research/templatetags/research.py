"""Template helpers of the research pages."""
from __future__ import annotations

from django import template

from research.timezones import utc_offset_label

register = template.Library()


def _ui_to_content_language(ui_language: str) -> str:
    return "zh-hans" if (ui_language or "").lower().startswith("zh") else (ui_language or "en")


@register.filter
def in_language(publication, ui_language: str) -> dict:
    """The title and abstract to show first: the reader's language if a translation has it, else the original.

    Reads the prefetched translations: no query per publication."""
    wanted = _ui_to_content_language(ui_language)
    if publication.language != wanted:
        for translation in publication.translations.all():
            if translation.language == wanted:
                return {"title": translation.title, "abstract": translation.abstract or publication.abstract,
                        "language": translation.language if translation.abstract else publication.language,
                        "title_language": translation.language, "is_translation": True}
    return {"title": publication.title, "abstract": publication.abstract, "language": publication.language,
            "title_language": publication.language, "is_translation": False}


@register.filter
def utc_offset(value) -> str:
    return utc_offset_label(value)


@register.simple_tag(takes_context=True)
def research_can_evaluate(context, project) -> bool:
    """Whether the reader may write an evaluation of this project (for the project page's include)."""
    from research.selectors import evaluator_organisations_for

    user = context.get("user")
    if user is None or not user.is_authenticated:
        return False
    return evaluator_organisations_for(user=user, project=project).exists()


@register.simple_tag(takes_context=True)
def research_project_evaluations(context, project):
    """The project's evaluations for the reader, when the including view did not pass them."""
    from research.selectors import evaluations_for_project

    return evaluations_for_project(project=project, user=context.get("user"))
