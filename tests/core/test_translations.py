"""The Simplified Chinese catalogue is complete, keeps every placeholder, covers
every literal string of the code and templates, and is what /zh-hans/ serves.

The .mo file is git-ignored: `make test` compiles it (manage.py
compile_translations) before pytest runs, and the page tests rely on it.
"""
from __future__ import annotations

import ast
import os
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
PO_PATH = BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
MO_PATH = PO_PATH.with_suffix(".mo")

# The folders makemessages is told to skip (see the task's command line), plus
# the catalogue itself and anything hidden.
IGNORED_DIRS = {".venv", "var", "tests", "bench", "locale", "node_modules", "__pycache__"}

GETTEXT_FUNCTIONS = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}
CONTEXT_FUNCTIONS = {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}

# printf-style placeholders: %(name)s, %s, %d, %.2f ... ("%%" is a literal percent).
PLACEHOLDER_RE = re.compile(r"%(?:\((?P<name>[^)]+)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa]")

TRANS_RE = re.compile(
    r"""{%\s*trans(?:late)?\s+(?P<q>["'])(?P<msgid>.*?)(?P=q)(?P<rest>[^%]*)%}""",
    re.DOTALL,
)
BLOCKTRANS_RE = re.compile(
    r"""{%\s*blocktrans(?:late)?(?P<args>(?:\s[^%]*)?)%}(?P<body>.*?){%\s*(?:plural|endblocktrans(?:late)?)\s*%}""",
    re.DOTALL,
)
CONTEXT_RE = re.compile(r"""\bcontext\s+(?P<q>["'])(?P<ctx>.*?)(?P=q)""")
VARIABLE_RE = re.compile(r"{{\s*(\w+)\s*}}")


def _catalogue() -> polib.POFile:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l zh_Hans"
    return polib.pofile(str(PO_PATH))


def _entries() -> list[polib.POEntry]:
    return [entry for entry in _catalogue() if not entry.obsolete]


def _project_files(*suffixes: str):
    for root, dirs, files in os.walk(BASE_DIR):
        dirs[:] = sorted(d for d in dirs if d not in IGNORED_DIRS and not d.startswith("."))
        for name in sorted(files):
            if name.endswith(suffixes):
                yield Path(root) / name


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in PLACEHOLDER_RE.finditer(text.replace("%%", ""))}


def _python_msgids(path: Path) -> set[tuple[str | None, str]]:
    """Literal first arguments of gettext calls, found through the syntax tree."""
    found: set[tuple[str | None, str]] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None
        if name not in GETTEXT_FUNCTIONS:
            continue
        args = node.args
        context = None
        if name in CONTEXT_FUNCTIONS:
            if len(args) < 2 or not (isinstance(args[0], ast.Constant) and isinstance(args[0].value, str)):
                continue
            context, args = args[0].value, args[1:]
        if args and isinstance(args[0], ast.Constant) and isinstance(args[0].value, str) and args[0].value:
            found.add((context, args[0].value))
    return found


def _template_msgids(path: Path) -> set[tuple[str | None, str]]:
    """{% trans "..." %} and {% blocktrans %}...{% endblocktrans %}, as makemessages writes them."""
    text = path.read_text(encoding="utf-8")
    found: set[tuple[str | None, str]] = set()
    for match in TRANS_RE.finditer(text):
        context = CONTEXT_RE.search(match["rest"])
        if match["msgid"]:
            found.add((context["ctx"] if context else None, match["msgid"].replace("%", "%%")))
    for match in BLOCKTRANS_RE.finditer(text):
        body = match["body"]
        if "{%" in body:  # not a block makemessages could extract; Django would refuse it too
            continue
        body = VARIABLE_RE.sub(lambda m: f"%({m[1]})s", body.replace("%", "%%"))
        if "trimmed" in match["args"].split():
            body = re.sub(r"\s*\n\s*", " ", body.strip())
        context = CONTEXT_RE.search(match["args"])
        if body:
            found.add((context["ctx"] if context else None, body))
    return found


def test_catalogue_header_is_chinese_with_one_plural_form():
    po = _catalogue()
    assert po.metadata.get("Language") == "zh_Hans"
    assert "charset=UTF-8" in po.metadata.get("Content-Type", "")
    assert po.metadata.get("Plural-Forms", "").replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy, "the header is still marked fuzzy"


def test_every_entry_is_translated_and_none_is_fuzzy():
    entries = _entries()
    assert entries, "the catalogue is empty"
    untranslated = [
        entry.msgid
        for entry in entries
        if (not any(entry.msgstr_plural.values()) if entry.msgid_plural else not entry.msgstr)
    ]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    assert (untranslated, fuzzy) == ([], []), (
        f"{len(untranslated)} untranslated msgid(s): {untranslated}; {len(fuzzy)} fuzzy msgid(s): {fuzzy}"
    )


def test_plural_entries_have_exactly_the_one_chinese_form():
    wrong = [
        (entry.msgid, sorted(entry.msgstr_plural))
        for entry in _entries()
        if entry.msgid_plural and sorted(entry.msgstr_plural) != [0]
    ]
    assert wrong == [], f"plural entries must have only msgstr[0]: {wrong}"


def test_every_translation_keeps_the_placeholders_of_its_msgid():
    broken = []
    for entry in _entries():
        expected = _placeholders(entry.msgid) | _placeholders(entry.msgid_plural or "")
        translations = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for text in translations:
            if _placeholders(text) != expected:
                broken.append((entry.msgid, text, sorted(expected), sorted(_placeholders(text))))
    assert broken == [], "placeholders differ (msgid, msgstr, expected, found):\n" + "\n".join(map(repr, broken))


def test_placeholder_check_notices_a_missing_placeholder():
    """The check above can fail: a lost or renamed placeholder is seen."""
    assert _placeholders("Welcome to %(name)s") != _placeholders("欢迎加入")
    assert _placeholders("Welcome to %(name)s") != _placeholders("欢迎加入%(nom)s")
    assert _placeholders("100%% of %(name)s") == _placeholders("%(name)s 的 100%%")


def test_every_literal_string_in_code_and_templates_is_in_the_catalogue():
    catalogue = {(entry.msgctxt, entry.msgid) for entry in _entries()}
    sources: dict[tuple[str | None, str], str] = {}
    for path in _project_files(".py"):
        for key in _python_msgids(path):
            sources.setdefault(key, str(path.relative_to(BASE_DIR)))
    for path in _project_files(".html", ".txt"):
        for key in _template_msgids(path):
            sources.setdefault(key, str(path.relative_to(BASE_DIR)))
    assert len(sources) > 50, f"the scan found only {len(sources)} strings: is it looking in the right place?"
    missing = sorted((source, msgid) for (context, msgid), source in sources.items() if (context, msgid) not in catalogue)
    assert missing == [], (
        f"{len(missing)} string(s) missing from {PO_PATH.relative_to(BASE_DIR)}; run makemessages -l zh_Hans "
        f"and translate them: {missing}"
    )


def test_template_scanner_reads_trans_and_blocktrans_like_makemessages(tmp_path):
    sample = tmp_path / "sample.html"
    sample.write_text(
        '{% load i18n %}{% trans "Sign in" %}{% translate \'Pages\' context "nav" %}'
        "{% blocktrans with name=o.name %}Edit {{ name }}{% endblocktrans %}"
        "{% blocktrans count counter=n %}{{ counter }} organisation{% plural %}{{ counter }} organisations"
        "{% endblocktrans %}{% blocktrans trimmed %}\n  50% of\n  all  {% endblocktrans %}",
        encoding="utf-8",
    )
    assert _template_msgids(sample) == {
        (None, "Sign in"),
        ("nav", "Pages"),
        (None, "Edit %(name)s"),
        (None, "%(counter)s organisation"),
        (None, "50%% of all"),
    }


def test_compiled_catalogue_serves_chinese():
    assert MO_PATH.exists(), f"{MO_PATH} is missing: run `manage.py compile_translations` (make test does)"
    with translation.override("zh-hans"):
        assert translation.gettext("Organisations") == "机构名录"
        assert translation.ngettext("%(counter)s organisation", "%(counter)s organisations", 3) % {
            "counter": 3
        } == "共 3 家机构"
    with translation.override("en"):
        assert translation.gettext("Organisations") == "Organisations"


@pytest.mark.django_db
def test_home_page_in_chinese(client, organisation):
    response = client.get("/zh-hans/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="zh-hans">' in page
    assert "机构名录" in page  # "Organisations", in the main navigation
    assert "携手共建智慧城市" in page  # "Smart cities, built together"
    assert "来自 1 个国家的 1 家认证机构" in page  # the plural stats line
    assert "中国—中东欧国家智慧城市合作" in page  # the site's name
    assert "Smart cities, built together" not in page


@pytest.mark.django_db
def test_home_page_in_english(client, organisation):
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="en">' in page
    assert ">Organisations</a>" in page
    assert "Smart cities, built together" in page
    assert "1 verified organisation from 1 countries" in page
    assert "机构名录" not in page
