"""The taxonomy in the database: loading the shipped file, and the tagger over
what coordinators have edited."""
from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from partners.models import Topic
from partners.tagging import Tagger
from partners.taxonomy import TaxonomyData, shipped_taxonomy


@transaction.atomic
def taxonomy_load(*, data: TaxonomyData | None = None) -> tuple[int, int]:
    """Upsert every domain and topic of `data` (the shipped file by default) by code.

    Returns (created, updated). Running it again with the same data changes nothing.
    """
    data = data or shipped_taxonomy()
    existing = {t.code: t for t in Topic.objects.all()}
    created = updated = 0
    for item in sorted(data.topics.values(), key=lambda t: (t.parent is not None, t.position)):
        fields = {
            "parent": existing[item.parent] if item.parent else None,
            "labels": item.labels,
            "synonyms": item.synonyms,
            "standards": item.standards,
            "position": item.position,
            "version": data.version,
            "is_active": True,
        }
        topic = existing.get(item.code)
        if topic is None:
            existing[item.code] = Topic.objects.create(code=item.code, **fields)
            created += 1
        elif any(getattr(topic, name) != value for name, value in fields.items()):
            for name, value in fields.items():
                setattr(topic, name, value)
            topic.save()
            updated += 1
    return created, updated


def taxonomy_current() -> TaxonomyData:
    """The taxonomy as stored (with coordinators' edits), falling back to the shipped file."""
    rows = list(Topic.objects.filter(is_active=True).select_related("parent"))
    if not rows:
        return shipped_taxonomy()
    version = max(r.version for r in rows)
    return TaxonomyData.from_topics(rows, version=version, sources=shipped_taxonomy().sources)


_tagger_cache: dict[tuple, Tagger] = {}


def current_tagger() -> Tagger:
    """A tagger over the stored taxonomy, rebuilt only when a topic changed."""
    stamp = tuple(Topic.objects.aggregate(n=Max("id"), changed=Max("updated_at")).values()) + (Topic.objects.count(),)
    tagger = _tagger_cache.get(stamp)
    if tagger is None:
        _tagger_cache.clear()
        tagger = _tagger_cache[stamp] = Tagger(taxonomy_current())
    return tagger
