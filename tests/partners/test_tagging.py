"""Auto-tagging: a need written in any of the platform's languages gets the topic a person would choose."""
import pytest

from partners.tagging import Tagger
from partners.taxonomy import shipped_taxonomy


@pytest.fixture(scope="module")
def tagger():
    return Tagger(shipped_taxonomy())


@pytest.mark.parametrize(
    "language, title, description, expected",
    [
        ("pl", "Modernizacja oświetlenia ulicznego w Lublinie",
         "Miasto chce wymienić 4 000 opraw sodowych na lampy LED sterowane zdalnie, z możliwością ściemniania nocą.",
         "energy.street-lighting"),
        ("sr-Cyrl", "Паметно паркирање у центру Београда",
         "Град тражи систем сензора за слободна паркинг места и апликацију за плаћање паркинга.",
         "mobility.smart-parking"),
        ("zh-hans", "滨江区老旧小区智慧路灯改造",
         "计划将辖区内三千盏路灯更换为可远程调光的LED智慧路灯，并接入城市物联网平台。",
         "energy.street-lighting"),
        ("hu", "Levegőminőség-mérő hálózat Budapesten",
         "A főváros szenzorhálózatot keres a szálló por (PM2,5) és a nitrogén-dioxid folyamatos méréséhez.",
         "environment.air-quality"),
        ("ro", "Detectarea pierderilor de apă în rețeaua de distribuție",
         "Compania de apă caută senzori acustici pentru detectarea scurgerilor din conductele vechi.",
         "water.leak-detection"),
        ("el", "Σύστημα έγκαιρης προειδοποίησης για πλημμύρες",
         "Ο δήμος θέλει αισθητήρες στάθμης νερού στα ρέματα και ειδοποιήσεις προς τους πολίτες για πλημμύρες.",
         "water.flood-warning"),
        ("cs", "Chytré parkování v Brně",
         "Hledáme senzory obsazenosti parkovacích míst a navigaci řidičů k volnému parkování.",
         "mobility.smart-parking"),
        ("bg", "Електронно управление за гражданите на София",
         "Общината иска портал за електронни административни услуги и онлайн подаване на заявления.",
         "government.e-government"),
    ],
)
def test_a_listing_is_tagged_with_the_topic_a_person_would_choose(tagger, language, title, description, expected):
    topics = tagger.tag(title, description)
    assert topics, f"nothing tagged for {language}"
    assert topics[0] == expected, f"{language}: {topics}"


def test_chinese_needs_no_spaces_and_parking_is_not_lighting(tagger):
    assert tagger.tag("智慧停车诱导系统建设")[0] == "mobility.smart-parking"
    assert "mobility.smart-parking" not in tagger.tag("路灯节能改造")


def test_serbian_latin_and_cyrillic_meet_the_same_topic(tagger):
    latin = tagger.tag("Pametno parkiranje", "Senzori za slobodna parking mesta")
    cyrillic = tagger.tag("Паметно паркирање", "Сензори за слободна паркинг места")
    assert latin[:1] == cyrillic[:1] == ["mobility.smart-parking"]


def test_unrelated_text_gets_no_topic(tagger):
    assert tagger.tag("Annual report", "The board met twice this year and approved the accounts.") == []


def test_every_topic_is_found_by_its_own_english_label(tagger):
    taxonomy = shipped_taxonomy()
    missed = [t.code for t in taxonomy.topics.values() if not t.is_domain and t.code not in tagger.tag(t.labels["en"])]
    assert missed == []
