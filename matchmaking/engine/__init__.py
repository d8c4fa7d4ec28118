"""The matching engine: which capabilities answer a need, and why.

Pure Python over plain dataclasses (no Django models), so that a benchmark,
a test and a Celery worker run the very same code. The caller turns needs and
capabilities into ListingDocs, calls `fit` once, then asks for the best
matches of fitted or new listings.

How a pair is scored is documented in matchmaking.weights (and docs/matching.md);
how it is made fast is documented here:

* `fit` vectorises every listing once. Text becomes a character n-gram TF-IDF
  vector (hashed, so a new listing needs no vocabulary refit), compressed
  into a dense `SKETCH_DIM` count sketch: a dense float32 product runs on BLAS
  at a hundred GFLOPS and more, where a sparse product of character n-grams
  (which every two texts share by the dozen) would take longer than the whole
  budget. The sketch keeps cosines unbiased, with a spread of about
  1/sqrt(SKETCH_DIM). Topics, synonym concepts and the cheap fit signals
  become a small dense block (`_Layout`) built so that the dot product of a
  need's row and a capability's row approximates their weighted score.
* Listings are stored ordered by side and audience, so that the listings a
  need may meet across the border are one contiguous range of rows: the
  border rule costs nothing, and the same-organisation rule is a few
  assignments per need.
* Needs are scored in chunks of `CHUNK` against that range with two matrix
  products (text, and the rest); the best `CANDIDATES` per need by that linear
  proxy get the exact score (topic hierarchy as a max, budget ranges, the
  relevance gate) and only the best k of those become ScoredMatch objects.
  No Python loop ever runs over all pairs.
* Topic inference reads the tagger's own synonym tables through an index
  (`_SynonymIndex`) that gives the tagger's scores without its scans.

The package's modules, by topic: `documents` (ListingDoc, ScoredMatch), `text`
(cleaning, n-gram hashing, the sketch constants), `topics` (the synonym and stem
indexes, topic profiles), `fit` (the `rest` layout, organisation tables, budget,
maturity and kind fits), `blocks` (fitted vectors and border groups), `reasons`
(the English and Chinese reasons) and `core` (MatchEngine). Import from the
package itself: the names below are its public interface.
"""
from matchmaking.engine.blocks import GROUPS, SIDES
from matchmaking.engine.core import ANALYSIS_BATCH, CANDIDATES, CHUNK, PROXY_TEXT_DIM, ROUNDING, MatchEngine
from matchmaking.engine.documents import ListingDoc, ScoredMatch
from matchmaking.engine.fit import BUDGET_EDGES, PROXY_FIT_SHARE, RECIPROCITY_MIN_WEIGHT
from matchmaking.engine.reasons import KIND_EN, KIND_ZH
from matchmaking.engine.text import HASH_FEATURES, NGRAM_SIZES, SKETCH_DIM, SKETCH_SEED, _cleaned, _parse, clean_text, ngram_counts

__all__ = [
    "ANALYSIS_BATCH", "BUDGET_EDGES", "CANDIDATES", "CHUNK", "GROUPS", "HASH_FEATURES", "KIND_EN", "KIND_ZH",
    "NGRAM_SIZES", "PROXY_FIT_SHARE", "PROXY_TEXT_DIM", "RECIPROCITY_MIN_WEIGHT", "ROUNDING", "SIDES", "SKETCH_DIM",
    "SKETCH_SEED", "ListingDoc", "MatchEngine", "ScoredMatch", "clean_text", "ngram_counts",
    # private, but tests/matchmaking/test_engine.py imports them from here
    "_cleaned", "_parse",
]
