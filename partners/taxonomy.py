"""The shared smart-city taxonomy as shipped data (partners/data/taxonomy-v1.json).

Pure Python, no database: the tagger and the matching engine read it from here;
the database copy (the `Topic` model, edited by coordinators in the admin) is
loaded from it by `taxonomy_load` and turned back into this shape by
`TaxonomyData.from_topics` so that both run on what coordinators changed.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

TAXONOMY_FILE = Path(__file__).resolve().parent / "data" / "taxonomy-v1.json"
TAXONOMY_FORMAT = "smartcity-taxonomy/1"


@dataclass(frozen=True)
class TopicData:
    code: str
    parent: str | None  # the domain's code; None for a domain
    labels: dict[str, str]
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    standards: list[dict] = field(default_factory=list)
    position: int = 0

    @property
    def is_domain(self) -> bool:
        return self.parent is None

    @property
    def domain(self) -> str:
        return self.parent or self.code

    def label(self, language: str) -> str:
        return self.labels.get(language) or self.labels.get("en") or self.code


@dataclass(frozen=True)
class TaxonomyData:
    version: str
    languages: tuple[str, ...]
    sources: dict[str, str]
    topics: dict[str, TopicData]  # every domain and topic by code, in file order

    def domains(self) -> list[TopicData]:
        return [t for t in self.topics.values() if t.is_domain]

    def children(self, domain_code: str) -> list[TopicData]:
        return [t for t in self.topics.values() if t.parent == domain_code]

    def domain_of(self, code: str) -> str | None:
        topic = self.topics.get(code)
        return topic.domain if topic else None

    @classmethod
    def from_document(cls, document: dict) -> "TaxonomyData":
        if document.get("format") != TAXONOMY_FORMAT:
            raise ValueError(f"not a {TAXONOMY_FORMAT} document")
        topics: dict[str, TopicData] = {}
        position = 0
        for domain in document["domains"]:
            topics[domain["code"]] = TopicData(
                code=domain["code"], parent=None, labels=domain["labels"], synonyms=domain.get("synonyms", {}),
                standards=domain.get("standards", []), position=position,
            )
            position += 1
            for topic in domain["topics"]:
                topics[topic["code"]] = TopicData(
                    code=topic["code"], parent=domain["code"], labels=topic["labels"],
                    synonyms=topic.get("synonyms", {}), standards=topic.get("standards", []), position=position,
                )
                position += 1
        return cls(
            version=document["version"], languages=tuple(document["languages"]), sources=document.get("sources", {}),
            topics=topics,
        )

    @classmethod
    def from_topics(cls, rows, *, version: str, sources: dict | None = None) -> "TaxonomyData":
        """Build from database rows (anything with code, parent code, labels, synonyms, standards, position)."""
        topics = {
            row.code: TopicData(
                code=row.code, parent=row.parent_code, labels=row.labels, synonyms=row.synonyms,
                standards=row.standards, position=row.position,
            )
            for row in sorted(rows, key=lambda r: r.position)
        }
        languages = tuple(sorted({lang for t in topics.values() for lang in t.labels}))
        return cls(version=version, languages=languages, sources=sources or {}, topics=topics)


@lru_cache(maxsize=1)
def shipped_taxonomy() -> TaxonomyData:
    return TaxonomyData.from_document(json.loads(TAXONOMY_FILE.read_text(encoding="utf-8")))
