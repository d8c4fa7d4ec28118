import random, time
import pytest
from partners.interchange import listings_import, listings_export
pytestmark = pytest.mark.django_db

WORDS = ("street lighting parking sensors air quality monitoring traffic signals waste collection district heating "
         "public transport electric buses charging stations water leakage flood warning open data platform "
         "oświetlenie uliczne parkowanie jakość powietrza 智慧停车 智能交通 空气质量 路灯 垃圾分类").split()

def test_bench(django_capture_on_commit_callbacks):
    from partners.taxonomy_store import taxonomy_load
    taxonomy_load()
    rnd = random.Random(1)
    orgs = [{"ref": f"org-{i}", "name": f"City {i}", "kind": "city", "country": rnd.choice(["PL","CN","RS","HU"]), "city": "X"} for i in range(200)]
    def text(n): return " ".join(rnd.choice(WORDS) for _ in range(n))
    needs = [{"ref": f"need-{i}", "organisation": f"org-{i%200}", "title": text(6), "description": text(80),
              "budget_eur": {"min": 1000, "max": 5000}} for i in range(1000)]
    caps = [{"ref": f"cap-{i}", "organisation": f"org-{i%200}", "title": text(6), "description": text(80), "maturity": 5,
             **({"topics": ["energy.street-lighting"]} if i % 3 == 0 else {})} for i in range(1000)]
    doc = {"format": "smartcity-listings/1", "organisations": orgs, "needs": needs, "capabilities": caps}
    for label in ("first", "again"):
        t = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True) as cbs:
            s = listings_import(document=doc)
        print(label, round(time.monotonic() - t, 2), "s", s, len(cbs), "callbacks")
    for n in needs[::2]: n["title"] += " v2"
    t = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as cbs:
        s = listings_import(document=doc)
    print("half changed", round(time.monotonic() - t, 2), "s", s, len(cbs))
    t = time.monotonic(); e = listings_export(); print("export", round(time.monotonic() - t, 2), "s", len(e["needs"]))
