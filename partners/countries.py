"""The countries of the China–CEE cooperation mechanism, with their side.

Estonia, Latvia and Lithuania have left the mechanism (2021–2022); their
organisations stay welcome, so they remain listed with `in_mechanism=False`.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _


class Side(str, Enum):
    CHINA = "china"
    CEE = "cee"


@dataclass(frozen=True)
class Country:
    code: str
    name_en: str
    name_zh: str
    side: Side
    in_mechanism: bool = True


COUNTRIES: tuple[Country, ...] = (
    Country("CN", "China", "中国", Side.CHINA),
    Country("AL", "Albania", "阿尔巴尼亚", Side.CEE),
    Country("BA", "Bosnia and Herzegovina", "波斯尼亚和黑塞哥维那", Side.CEE),
    Country("BG", "Bulgaria", "保加利亚", Side.CEE),
    Country("HR", "Croatia", "克罗地亚", Side.CEE),
    Country("CZ", "Czechia", "捷克", Side.CEE),
    Country("EE", "Estonia", "爱沙尼亚", Side.CEE, in_mechanism=False),
    Country("GR", "Greece", "希腊", Side.CEE),
    Country("HU", "Hungary", "匈牙利", Side.CEE),
    Country("LV", "Latvia", "拉脱维亚", Side.CEE, in_mechanism=False),
    Country("LT", "Lithuania", "立陶宛", Side.CEE, in_mechanism=False),
    Country("ME", "Montenegro", "黑山", Side.CEE),
    Country("MK", "North Macedonia", "北马其顿", Side.CEE),
    Country("PL", "Poland", "波兰", Side.CEE),
    Country("RO", "Romania", "罗马尼亚", Side.CEE),
    Country("RS", "Serbia", "塞尔维亚", Side.CEE),
    Country("SK", "Slovakia", "斯洛伐克", Side.CEE),
    Country("SI", "Slovenia", "斯洛文尼亚", Side.CEE),
)
BY_CODE: dict[str, Country] = {c.code: c for c in COUNTRIES}


def _localised_name(code: str) -> str:
    from django.utils.translation import get_language

    country = BY_CODE[code]
    return country.name_zh if (get_language() or "").startswith("zh") else country.name_en


localised_name = lazy(_localised_name, str)

# Choices whose labels follow the active language (English or Chinese).
COUNTRY_CHOICES = [(c.code, localised_name(c.code)) for c in COUNTRIES]


def country_side(code: str) -> Side:
    return BY_CODE[code].side


def other_side(side: Side) -> Side:
    return Side.CEE if side is Side.CHINA else Side.CHINA


SIDE_LABELS = {Side.CHINA: _("China"), Side.CEE: _("Central and Eastern Europe")}
