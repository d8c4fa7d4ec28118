"""Benchmark of the matching engine against a brute-force TF-IDF baseline.

    .venv/bin/python bench/matching.py [--needs 20000 --capabilities 20000 --single 100000]

Listings are generated from the shipped taxonomy's synonyms and generic
filler words in thirteen languages (so texts mix scripts, and Chinese has no
spaces). Each measurement runs in a fresh child process so that its peak
memory (ru_maxrss) is its own:

* rematch:  MatchEngine.fit + all_top(k=10) over every need (the full rematch
            a nightly job does), wall time and peak RSS;
* baseline: scikit-learn TfidfVectorizer fitted on all texts, need x
            capability cosine by sparse products in chunks, argpartition top 10;
* single:   top_for_need for new needs against `--single` capabilities, median.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Run as a script from the project root: make the project importable without installing it.
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from matchmaking.engine import ListingDoc  # noqa: E402
from partners.taxonomy import shipped_taxonomy  # noqa: E402

CEE_LANGUAGES = {
    "PL": "pl", "CZ": "cs", "HU": "hu", "RO": "ro", "BG": "bg", "RS": "sr-Cyrl", "ME": "sr-Latn",
    "HR": "hr", "GR": "el", "SK": "sk", "SI": "sl",
}
CITIES = {
    "CN": ["Hangzhou", "Shenzhen", "Chengdu", "Ningbo", "Chongqing", "Wuhan", "Xi'an", "Suzhou", "Tianjin", "Qingdao"],
    "PL": ["Warszawa", "Kraków", "Gdańsk", "Lublin"], "CZ": ["Praha", "Brno"], "HU": ["Budapest", "Debrecen"],
    "RO": ["Cluj-Napoca", "Timișoara"], "BG": ["Sofia", "Plovdiv"], "RS": ["Belgrade", "Novi Sad"], "ME": ["Podgorica"],
    "HR": ["Zagreb", "Split"], "GR": ["Thessaloniki", "Athens"], "SK": ["Košice", "Bratislava"], "SI": ["Ljubljana", "Maribor"],
}
# Generic words of listings, none of them a topic's synonym: what people write around the subject.
FILLER = {
    "en": "city municipality project partner solution system we need looking for experience deployment pilot data "
          "citizens residents budget tender years support implementation platform integration maintenance offer "
          "team references operation district centre public service quality modern cost reduce improve".split(),
    "pl": "miasto gmina projekt partner rozwiązanie system szukamy potrzebujemy doświadczenie wdrożenie pilotaż dane "
          "mieszkańcy budżet przetarg lata wsparcie realizacja platforma integracja utrzymanie oferta zespół "
          "referencje dzielnica centrum usługi jakość nowoczesny koszty obniżyć poprawić".split(),
    "cs": "město obec projekt partner řešení systém hledáme potřebujeme zkušenosti nasazení pilot data občané "
          "rozpočet zakázka let podpora realizace platforma integrace údržba nabídka tým reference provoz čtvrť "
          "centrum služby kvalita moderní náklady snížit zlepšit".split(),
    "sk": "mesto obec projekt partner riešenie systém hľadáme potrebujeme skúsenosti nasadenie pilot údaje občania "
          "rozpočet zákazka rokov podpora realizácia platforma integrácia údržba ponuka tím referencie prevádzka "
          "štvrť centrum služby kvalita moderný náklady znížiť zlepšiť".split(),
    "hu": "város önkormányzat projekt partner megoldás rendszer keresünk szükségünk tapasztalat bevezetés kísérleti "
          "adatok lakosok költségvetés pályázat év támogatás megvalósítás platform integráció karbantartás ajánlat "
          "csapat referenciák üzemeltetés kerület központ szolgáltatás minőség modern költség csökkenteni javítani".split(),
    "ro": "oraș primărie proiect partener soluție sistem căutăm avem nevoie experiență implementare pilot date "
          "cetățeni locuitori buget licitație ani sprijin realizare platformă integrare întreținere ofertă echipă "
          "referințe operare cartier centru servicii calitate modern costuri reducere îmbunătățire".split(),
    "bg": "град община проект партньор решение система търсим нуждаем опит внедряване пилотен данни граждани "
          "жители бюджет търг години подкрепа изпълнение платформа интеграция поддръжка оферта екип референции "
          "експлоатация квартал център услуги качество модерен разходи намаляване подобряване".split(),
    "sr-Cyrl": "град општина пројекат партнер решење систем тражимо потребно искуство увођење пилот подаци грађани "
               "становници буџет тендер година подршка реализација платформа интеграција одржавање понуда тим "
               "референце рад насеље центар услуге квалитет модеран трошкови смањити побољшати".split(),
    "sr-Latn": "grad opština projekat partner rešenje sistem tražimo potrebno iskustvo uvođenje pilot podaci građani "
               "stanovnici budžet tender godina podrška realizacija platforma integracija održavanje ponuda tim "
               "reference rad naselje centar usluge kvalitet moderan troškovi smanjiti poboljšati".split(),
    "hr": "grad općina projekt partner rješenje sustav tražimo trebamo iskustvo uvođenje pilot podaci građani "
          "stanovnici proračun natječaj godina potpora provedba platforma integracija održavanje ponuda tim "
          "reference rad četvrt središte usluge kvaliteta moderan troškovi smanjiti poboljšati".split(),
    "sl": "mesto občina projekt partner rešitev sistem iščemo potrebujemo izkušnje uvedba pilot podatki občani "
          "prebivalci proračun razpis let podpora izvedba platforma integracija vzdrževanje ponudba ekipa "
          "reference delovanje četrt središče storitve kakovost sodoben stroški zmanjšati izboljšati".split(),
    "el": "πόλη δήμος έργο εταίρος λύση σύστημα αναζητούμε χρειαζόμαστε εμπειρία εγκατάσταση πιλοτικό δεδομένα "
          "πολίτες κάτοικοι προϋπολογισμός διαγωνισμός χρόνια υποστήριξη υλοποίηση πλατφόρμα ενοποίηση συντήρηση "
          "προσφορά ομάδα αναφορές λειτουργία περιοχή κέντρο υπηρεσίες ποιότητα σύγχρονο κόστος μείωση βελτίωση".split(),
    "zh-hans": "城市 政府 项目 合作伙伴 解决方案 系统 我们 需要 寻找 经验 部署 试点 数据 市民 居民 预算 招标 多年 支持 "
               "实施 平台 集成 运维 提供 团队 案例 运营 园区 中心 公共服务 质量 先进 成本 降低 提升".split(),
}
KINDS_NEED = ["city"] * 6 + ["government_agency", "company", "university", "think_tank"]
KINDS_CAP = ["company"] * 6 + ["university", "think_tank", "city", "other"]


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        taxonomy = shipped_taxonomy()
        self.topics = [t for t in taxonomy.topics.values() if not t.is_domain]
        self.orgs: list[tuple[int, str, str, str]] = []  # id, country, city, kind

    def organisations(self, count: int) -> None:
        countries = ["CN"] * len(CEE_LANGUAGES) + list(CEE_LANGUAGES)  # half Chinese, half CEE
        for org_id in range(1, count + 1):
            country = self.rng.choice(countries)
            kind = self.rng.choice(KINDS_NEED if org_id % 2 else KINDS_CAP)
            self.orgs.append((org_id, country, self.rng.choice(CITIES[country]), kind))

    def listing(self, listing_id: int, kind: str) -> ListingDoc:
        rng = self.rng
        org_id, country, city, org_kind = rng.choice(self.orgs)
        native = "zh-hans" if country == "CN" else CEE_LANGUAGES[country]
        language = native if rng.random() < 0.7 else "en"
        topic, other = rng.choice(self.topics), rng.choice(self.topics)
        title = self._phrase(topic, language, rng.randint(1, 2))
        sentences = [self._sentence(topic, language) for _ in range(rng.randint(2, 3))]
        if rng.random() < 0.3:
            sentences.append(self._sentence(other, language))
        budget_low = rng.choice([20_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 3_000_000])
        money = {"budget_min": budget_low, "budget_max": budget_low * rng.choice([2, 3, 5])} if rng.random() < 0.8 else {}
        extra = (
            {"stage": rng.choice(["pilot", "scale_up"])} if kind == "need"
            else {"trl": rng.randint(3, 9), "capability_type": rng.choice(["product", "solution", "service", "expertise"])}
        )
        return ListingDoc(
            id=listing_id, kind=kind, organisation_id=org_id, side="china" if country == "CN" else "cee",
            organisation_kind=org_kind, city=city, country=country, title=title,
            description=("" if language == "zh-hans" else " ").join(sentences), language=language, topics=(),
            **money, **extra,
        )

    def _synonym(self, topic, language: str) -> str:
        return self.rng.choice(topic.synonyms.get(language) or topic.synonyms.get("en") or [topic.labels["en"]])

    def _phrase(self, topic, language: str, fillers: int) -> str:
        words = [*self.rng.sample(FILLER[language], fillers), self._synonym(topic, language)]
        self.rng.shuffle(words)
        return ("" if language == "zh-hans" else " ").join(words)

    def _sentence(self, topic, language: str) -> str:
        text = self._phrase(topic, language, self.rng.randint(5, 9))
        return text + "。" if language == "zh-hans" else text[:1].upper() + text[1:] + "."


def dataset(needs: int, capabilities: int, seed: int = 7) -> tuple[list[ListingDoc], list[ListingDoc]]:
    generator = Generator(seed)
    generator.organisations(max(10, (needs + capabilities) // 4))
    return (
        [generator.listing(i + 1, "need") for i in range(needs)],
        [generator.listing(i + 1, "capability") for i in range(capabilities)],
    )


def _texts(docs: list[ListingDoc]) -> list[str]:
    return [f"{d.title}\n{d.description}" for d in docs]


# --- the children -------------------------------------------------------------------------------


def child_rematch(args: argparse.Namespace) -> dict:
    from matchmaking.engine import MatchEngine

    needs, capabilities = dataset(args.needs, args.capabilities)
    rss_data = _rss_mb()
    engine = MatchEngine(shipped_taxonomy())
    start, cpu = time.perf_counter(), time.process_time()
    engine.fit(needs, capabilities)
    fitted = time.perf_counter()
    proposals = sum(len(matches) for _need, matches in engine.all_top(k=10))
    end = time.perf_counter()
    return {
        "seconds": end - start, "cpu_seconds": time.process_time() - cpu, "fit_seconds": fitted - start,
        "all_top_seconds": end - fitted, "proposals": proposals, "rss_mb": _rss_mb(), "rss_data_mb": rss_data,
    }


def child_baseline(args: argparse.Namespace) -> dict:
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer

    needs, capabilities = dataset(args.needs, args.capabilities)
    rss_data = _rss_mb()
    start, cpu = time.perf_counter(), time.process_time()
    matrix = TfidfVectorizer(dtype=np.float32).fit_transform(_texts(needs) + _texts(capabilities))
    need_rows, capability_rows = matrix[: len(needs)], matrix[len(needs) :].T.tocsr()
    kept = 0
    for first in range(0, len(needs), 1000):
        cosine = (need_rows[first : first + 1000] @ capability_rows).toarray()
        top = np.argpartition(cosine, cosine.shape[1] - 10, axis=1)[:, -10:]
        kept += top.size
    return {
        "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu, "kept": kept,
        "rss_mb": _rss_mb(), "rss_data_mb": rss_data,
    }


def child_single(args: argparse.Namespace) -> dict:
    from matchmaking.engine import MatchEngine

    needs, capabilities = dataset(args.single // 10, args.single, seed=11)
    rss_data = _rss_mb()
    engine = MatchEngine(shipped_taxonomy())
    start = time.perf_counter()
    engine.fit(needs, capabilities)
    fit_seconds = time.perf_counter() - start
    new_needs, _ = dataset(21, 0, seed=12)
    times = []
    for need in new_needs:
        started = time.perf_counter()
        engine.top_for_need(need, k=10)
        times.append(time.perf_counter() - started)
    new_capability = dataset(0, 21, seed=13)[1]
    capability_times = []
    for capability in new_capability:
        started = time.perf_counter()
        engine.top_for_capability(capability, k=10)
        capability_times.append(time.perf_counter() - started)
    return {
        "fit_seconds": fit_seconds, "median_ms": statistics.median(times) * 1000, "max_ms": max(times) * 1000,
        "capability_median_ms": statistics.median(capability_times) * 1000, "needs": len(needs),
        "rss_mb": _rss_mb(), "rss_data_mb": rss_data,
    }


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


CHILDREN = {"rematch": child_rematch, "baseline": child_baseline, "single": child_single}


def _run_child(name: str, args: argparse.Namespace) -> dict:
    command = [sys.executable, __file__, "--child", name, "--needs", str(args.needs),
               "--capabilities", str(args.capabilities), "--single", str(args.single)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--needs", type=int, default=20_000)
    parser.add_argument("--capabilities", type=int, default=20_000)
    parser.add_argument("--single", type=int, default=100_000)
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](args)))
        return
    started = time.perf_counter()
    rematch, baseline, single = (_run_child(name, args) for name in ("rematch", "baseline", "single"))
    print(f"full rematch {args.needs} needs x {args.capabilities} capabilities, top 10:")
    print(f"  engine    {rematch['seconds']:6.1f} s wall, {rematch['cpu_seconds']:5.1f} s CPU "
          f"(fit {rematch['fit_seconds']:.1f} s, all_top {rematch['all_top_seconds']:.1f} s), "
          f"{rematch['proposals']} proposals, peak RSS {rematch['rss_mb']:.0f} MB ({rematch['rss_data_mb']:.0f} MB before fit)")
    print(f"  baseline  {baseline['seconds']:6.1f} s wall, {baseline['cpu_seconds']:5.1f} s CPU (TF-IDF cosine brute force), "
          f"peak RSS {baseline['rss_mb']:.0f} MB ({baseline['rss_data_mb']:.0f} MB before)")
    print(f"  ratio     {rematch['seconds'] / baseline['seconds']:6.2f} x baseline wall, "
          f"{rematch['cpu_seconds'] / baseline['cpu_seconds']:.2f} x CPU")
    print(f"  load      {os.getloadavg()[0]:.1f} (1-minute load average of the machine at the end; 2 cores)")
    print(f"one new listing against {args.single} capabilities ({single['needs']} needs fitted, fit {single['fit_seconds']:.1f} s):")
    print(f"  top_for_need        median {single['median_ms']:.1f} ms, max {single['max_ms']:.1f} ms (21 runs)")
    print(f"  top_for_capability  median {single['capability_median_ms']:.1f} ms against {single['needs']} needs")
    print(f"  peak RSS {single['rss_mb']:.0f} MB ({single['rss_data_mb']:.0f} MB before fit)")
    print(f"total bench time {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
