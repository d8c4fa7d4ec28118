"""Languages a text on the platform may be written in (BCP 47 tags).

The UI speaks English and Simplified Chinese; content may be in any language
of the mechanism's countries, and carries its tag.
"""
from django.utils.translation import gettext_lazy as _

CONTENT_LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", _("English")),
    ("zh-hans", _("Chinese (Simplified)")),
    ("pl", _("Polish")),
    ("cs", _("Czech")),
    ("sk", _("Slovak")),
    ("hu", _("Hungarian")),
    ("ro", _("Romanian")),
    ("bg", _("Bulgarian")),
    ("sr-Cyrl", _("Serbian (Cyrillic)")),
    ("sr-Latn", _("Serbian (Latin)")),
    ("hr", _("Croatian")),
    ("bs", _("Bosnian")),
    ("sl", _("Slovenian")),
    ("el", _("Greek")),
    ("sq", _("Albanian")),
    ("mk", _("Macedonian")),
    ("et", _("Estonian")),
    ("lv", _("Latvian")),
    ("lt", _("Lithuanian")),
)
CONTENT_LANGUAGE_CODES = frozenset(code for code, _label in CONTENT_LANGUAGES)
