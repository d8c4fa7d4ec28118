"""Text normalisation shared by tagging, search and matching.

Every text is folded the same way whatever its language or script:
Unicode NFKC, lower case, diacritics removed (so "oświetlenie" and
"oswietlenie" meet), and Cyrillic transliterated to Latin the way Serbian
does it (so "осветљење" meets the Serbian Latin "osvetljenje"; Bulgarian and
Macedonian come out close enough for stems to meet too). Greek and Chinese
keep their scripts. Chinese has no spaces: it is split into single Han
characters, which callers combine into n-grams.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "ђ": "dj", "е": "e", "ж": "z", "з": "z", "и": "i",
    "ј": "j", "к": "k", "л": "l", "љ": "lj", "м": "m", "н": "n", "њ": "nj", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "ћ": "c", "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "c", "џ": "dz", "ш": "s",
    # Bulgarian and Macedonian letters
    "й": "j", "щ": "st", "ъ": "a", "ь": "", "ю": "ju", "я": "ja", "ѓ": "dj", "ќ": "c", "ѕ": "dz", "ё": "e",
    "э": "e", "ы": "y", "і": "i", "ї": "ji", "є": "je",
}
_TRANSLITERATION = str.maketrans(_CYRILLIC_TO_LATIN)
_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_HAN}]|[^\W\d_{_HAN}]+|\d+", re.UNICODE)
_HAN_CHAR = re.compile(rf"[{_HAN}]")


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower-case, strip diacritics, transliterate Cyrillic; keep Han and Greek letters."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.translate(_TRANSLITERATION)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters that NFKD does not decompose.
    return stripped.replace("ł", "l").replace("đ", "dj").replace("ß", "ss").replace("ø", "o").replace("æ", "ae")


def tokens(text: str) -> list[str]:
    """Folded word tokens; every Han character is a token of its own."""
    return _TOKEN.findall(fold(text))


def is_han(token: str) -> bool:
    return bool(_HAN_CHAR.fullmatch(token))


def han_runs(text: str) -> list[str]:
    """Maximal runs of Han characters in the folded text (Chinese 'words' without spaces)."""
    return re.findall(rf"[{_HAN}]+", fold(text))
