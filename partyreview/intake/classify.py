"""问题类别建议：which standard category a problem's words point to, and why.

A feedback document (反馈意见) or a ledger row says "支委会长期缺额，书记由行政负责人兼任" and leaves the
category to us; a ledger's 问题类别 column may hold only a broad area ("组织建设") or a synonym. This module
reads the text and suggests one of the standard category codes (``inspections.categories``), with the
words that decided it, a confidence and the runners-up, so the preview can say *why* and the user can pick
the second guess in one click.

Method (measured in docs/decisions/category-suggestion.md): a lexicon of weighted words and phrases per
category, written from how inspection reports phrase each problem, matched against the text as jieba
segments it; the heading a problem stood under ("（二）党的组织建设方面") adds a prior. We chose a lexicon over
a trained model because there is no corpus to train on that we may ship, the deployments are offline, and
a committee's staff can read — and an administrator could one day edit — a list of words, not weights.

Pure: no database, no settings, no network, nothing written to disk. jieba's dictionary (shipped inside the
package) is loaded lazily, once per process, on the first suggestion (about a second), bypassing jieba's
own cache file, which it would write into the temporary directory and read back without a check; jieba's
logger stays silent, so importing or calling this never prints.
"""

import functools
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from partyreview.intake.lexicon import HEADING_PRIORS, LEXICON

if TYPE_CHECKING:
    import jieba

OTHER = "other"

# The unknown mass in the confidence: a text matching one weak word is not 100 % sure of anything.
_UNKNOWN_MASS = 1.5
# The heading's own words count for less than the problem's: a heading is shared by many problems.
_HEADING_WORD_FACTOR = 0.5
_RANKED_SIZE = 5


@dataclass(frozen=True)
class CategorySuggestion:
    """问题类别建议：the code of a standard category, how sure, and the words that decided it.

    ``code`` is a ``Category.code`` of the standard categories, or "other" when nothing matched; the caller
    maps it to a row (and falls back to "other" when an administrator removed that category).
    ``confidence`` is 0..1: the chosen category's share of all the evidence. ``reasons`` are the words of
    the text (and of the heading, marked "（标题）") that counted for ``code``, strongest first.
    ``ranked`` lists the best candidates with their shares, best first (at most five).
    """

    code: str
    confidence: float
    reasons: tuple[str, ...] = ()
    ranked: tuple[tuple[str, float], ...] = ()


_SPACES = re.compile(r"\s+")

_lock = threading.Lock()
_tokenizer: "jieba.Tokenizer | None" = None


def suggest_category(text: str, *, heading: str = "") -> CategorySuggestion:
    """Suggest the standard category of one problem from its text and the heading it stood under.

    Short ledger texts ("党费收缴", "组织建设") work as well as a paragraph. Nothing matched → "other",
    confidence 0.
    """
    return _suggest(normalize(text), normalize(heading))


@functools.lru_cache(maxsize=4096)
def _suggest(text: str, heading: str) -> CategorySuggestion:
    # Once per distinct text and heading in a process: a ledger repeats them, and the preview, the check at
    # confirmation and the worker plan the same rows again. The suggestion is immutable, so it may be shared.
    scores: dict[str, float] = {}
    reasons: dict[str, dict[str, float]] = {}

    for code, term, weight in _matches(text):
        scores[code] = scores.get(code, 0.0) + weight
        reasons.setdefault(code, {})[term] = weight
    # A ledger's 问题类别 may hold only a broad area ("组织建设"): the text leans like a heading, less strongly.
    for area, leanings in HEADING_PRIORS:
        if area in text:
            for code, weight in leanings.items():
                scores[code] = scores.get(code, 0.0) + weight * _HEADING_WORD_FACTOR
                reasons.setdefault(code, {}).setdefault(area, weight * _HEADING_WORD_FACTOR)
    if heading:
        for code, term, weight in _matches(heading):
            scores[code] = scores.get(code, 0.0) + weight * _HEADING_WORD_FACTOR
            reasons.setdefault(code, {}).setdefault(f"{term}（标题）", weight * _HEADING_WORD_FACTOR)
        for area, leanings in HEADING_PRIORS:
            if area in heading:
                for code, weight in leanings.items():
                    scores[code] = scores.get(code, 0.0) + weight
                    reasons.setdefault(code, {}).setdefault(f"{area}（标题）", weight)

    if not scores:
        return CategorySuggestion(code=OTHER, confidence=0.0, reasons=(), ranked=((OTHER, 0.0),))
    total = sum(scores.values()) + _UNKNOWN_MASS
    # Ties go to the order of LEXICON (the brief's order: the categories users named first come first).
    order = {code: position for position, code in enumerate(LEXICON)}
    ranked = sorted(scores.items(), key=lambda item: (-item[1], order.get(item[0], len(order))))
    best, best_score = ranked[0]
    decided_by = sorted(reasons[best].items(), key=lambda item: -item[1])
    return CategorySuggestion(
        code=best,
        confidence=round(best_score / total, 3),
        reasons=tuple(term for term, _ in decided_by),
        ranked=tuple((code, round(score / total, 3)) for code, score in ranked[:_RANKED_SIZE]),
    )


def normalize(text: str) -> str:
    """Full-width letters, digits and punctuation folded (NFKC), curly quotes kept apart, spaces squeezed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def _matches(text: str) -> Iterable[tuple[str, str, float]]:
    """(code, term, weight) for every lexicon term in the text, a term inside a longer matched one left out.

    "党员活动室" (carriers) must not also count as "党员"-anything; "组织生活会" (political_life) must not also
    count as the meeting category's "组织生活". Only the longest match at a place counts, across categories.

    Only the terms that can be in the text are tried (``_Index``): a short term when jieba cut it out as a
    word, a longer one when the text holds its first two characters. They are tried in LEXICON's order,
    each at its first place in the text, as a scan of every term would find them.
    """
    index = _get_index()
    first_token: dict[str, tuple[int, int]] = {}
    for word, start, end in _tokens(text):
        first_token.setdefault(word, (start, end))
    candidates = {i for word in first_token for i in index.short.get(word, ())}
    candidates.update(i for k in range(len(text) - 1) for i in index.long.get(text[k : k + 2], ()))
    found: list[tuple[int, int, str, str, float]] = []
    for i in sorted(candidates):
        code, term, weight = index.terms[i]
        if len(term) <= 2:
            start, end = first_token[term]
        else:
            start = text.find(term)
            if start < 0:
                continue
            end = start + len(term)
        found.append((start, end, code, term, weight))
    # Keep a term only if some occurrence of it is not strictly inside a longer matched term.
    for start, end, code, term, weight in found:
        inside = any(
            other_start <= start and end <= other_end and (other_end - other_start) > (end - start)
            for other_start, other_end, _, other_term, _ in found
            if other_term != term
        )
        if not inside:
            yield code, term, weight


@dataclass(frozen=True)
class _Index:
    """LEXICON's terms in order, and where to look them up: short ones (one or two characters, matched only
    as whole jieba words) by the word, longer ones (matched anywhere) by their first two characters."""

    terms: tuple[tuple[str, str, float], ...]
    short: dict[str, tuple[int, ...]]
    long: dict[str, tuple[int, ...]]


_index: _Index | None = None


def _get_index() -> _Index:
    global _index
    if _index is None:
        terms = tuple((code, term, float(weight)) for code, entries in LEXICON.items() for term, weight in entries)
        short: dict[str, list[int]] = {}
        long: dict[str, list[int]] = {}
        for i, (_, term, _) in enumerate(terms):
            if len(term) <= 2:
                short.setdefault(term, []).append(i)
            else:
                long.setdefault(term[:2], []).append(i)
        _index = _Index(
            terms=terms,
            short={k: tuple(v) for k, v in short.items()},
            long={k: tuple(v) for k, v in long.items()},
        )
    return _index


@functools.lru_cache(maxsize=1024)
def _tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    # Cached for the headings and broad areas, which many problems of one ledger share.
    return tuple(_get_tokenizer().tokenize(text))


def _get_tokenizer() -> "jieba.Tokenizer":
    """jieba's tokenizer with the lexicon's words added, built once per process on first use."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                _tokenizer = _build_tokenizer()
    return _tokenizer


def _build_tokenizer() -> "jieba.Tokenizer":
    import logging

    import jieba

    # jieba logs "Building prefix dict…" at DEBUG to stderr on every initialisation.
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    # Build the prefix dictionary from the shipped dictionary ourselves: jieba.initialize() would write a
    # cache file into the temporary directory and trust whatever it finds there next time.
    with tokenizer.get_dict_file() as dictionary:
        tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(dictionary)
    tokenizer.initialized = True
    for entries in LEXICON.values():
        for term, _ in entries:
            if len(term) >= 2:
                tokenizer.add_word(term)
    return tokenizer
