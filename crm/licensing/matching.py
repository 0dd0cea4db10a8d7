"""Plain-word questions ("is SaaS cheaper?", "сколько стоит перенос данных?", "kas yra amžina
licencija?") matched to topics, in any of the three languages without knowing which one.

A small scorer: every word of the question adds the points of the heaviest stem of a topic's
vocabulary it matches, and every phrase or pair found adds its points once. The topic with the
most points wins if it has enough and no other topic has as many. Anything less sure returns
None, and the caller shows the list of topics instead of a wrong answer."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from crm.licensing.topics import TOPICS, Topic
from crm.licensing.vocabulary import VOCABULARY, Words

STRONG, WEAK, PHRASE = 2, 1, 3
MIN_SCORE = 2  # one strong word, or two weak ones
MAX_GAP = 1  # words allowed between two parts of a phrase

_WORD = re.compile(r"[^\W_]+")

QUESTION_WORDS = frozenset(
    (
        # en
        "what how which is are can should why when where who does do"  # not "will": Will Smith
        # ru
        " что чем как какой какая какое какие каких сколько почему зачем когда где кто можно"
        " стоит нужно нужен надо разве"
        # lt
        " kas ką kaip kiek kodėl kada ar kuo kuri kuris kurie kurią koks kokia kokie kokį"
        " kur kam verta galima reikia"
    ).split()
)
LEADING_WORDS = frozenset("and but so а и но так o ir bet tai".split())  # "а сколько...?"
PARTICLE = "ли"  # "дешевле ли SaaS", "есть ли..." : a question wherever it stands early
PARTICLE_WITHIN = 3


@dataclass(frozen=True)
class Match:
    topic: Topic
    score: int


def normalize(text: str) -> str:
    """Casefold and drop diacritics (ё -> е, ž -> z, й -> и: both sides are folded alike)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def looks_like_question(text: str) -> bool:
    stripped = text.strip()
    if stripped.endswith(("?", "？")):
        return True
    words = tokens(stripped)
    if words and words[0] in _LEADING_WORDS:
        words = words[1:]
    return bool(words) and (words[0] in _QUESTION_WORDS or PARTICLE in words[:PARTICLE_WITHIN])


def match_question(text: str) -> Match | None:
    words = tokens(text)
    if not words:
        return None
    scored = sorted(
        ((sum(rule.points(words) for rule in rules), topic) for topic, rules in _rules()),
        key=lambda item: item[0],
        reverse=True,
    )
    (best, topic), (runner_up, _) = scored[0], scored[1]
    if best < MIN_SCORE or best == runner_up:
        return None
    return Match(topic, best)


# --- the rules built from the vocabulary ---------------------------------------------------


def _part_matches(part: str, word: str) -> bool:
    """ "стем" matches words starting with it; "word=" only that word."""
    return word == part[:-1] if part.endswith("=") else word.startswith(part)


@dataclass(frozen=True)
class _Stems:
    """Every word of the question scores once, by the heaviest stem it matches (so "licencija"
    counts once though both "licen" and "licencij" match it)."""

    weights: dict[str, int]

    def points(self, words: list[str]) -> int:
        return sum(
            max((w for part, w in self.weights.items() if _part_matches(part, word)), default=0)
            for word in set(words)
        )


@dataclass(frozen=True)
class _Phrase:
    """Parts in this order, or (for two parts) the other way round: "licencija amžina"."""

    parts: tuple[str, ...]

    def points(self, words: list[str]) -> int:
        orders = [self.parts] + ([self.parts[::-1]] if len(self.parts) == 2 else [])
        found = any(_in_order(parts, words, i) for parts in orders for i in range(len(words)))
        return PHRASE if found else 0


def _in_order(parts: tuple[str, ...], words: list[str], start: int) -> bool:
    if not _part_matches(parts[0], words[start]):
        return False
    position = start
    for part in parts[1:]:
        window = range(position + 1, min(position + 2 + MAX_GAP, len(words)))
        found = next((i for i in window if _part_matches(part, words[i])), None)
        if found is None:
            return False
        position = found
    return True


@dataclass(frozen=True)
class _Pair:
    parts: tuple[str, ...]

    def points(self, words: list[str]) -> int:
        found = all(any(_part_matches(p, w) for w in words) for p in self.parts)
        return PHRASE if found else 0


Rule = _Stems | _Phrase | _Pair


def _topic_rules(vocabulary: dict[str, Words]) -> list[Rule]:
    weights: dict[str, int] = {}
    phrases: dict[tuple[str, ...], Rule] = {}
    for words in vocabulary.values():
        for weight, stems in ((STRONG, words.strong), (WEAK, words.weak)):
            for stem in normalize(stems).split():
                weights[stem] = max(weight, weights.get(stem, 0))
        for phrase in map(normalize, words.phrases):
            if "+" in phrase:
                rule: Rule = _Pair(tuple(phrase.split("+")))
            else:
                rule = _Phrase(tuple(phrase.split()))
            phrases.setdefault(rule.parts, rule)
    return [_Stems(weights), *phrases.values()]


@cache
def _rules() -> list[tuple[Topic, list[Rule]]]:
    return [(topic, _topic_rules(VOCABULARY[topic.key])) for topic in TOPICS]


_QUESTION_WORDS = frozenset(normalize(word) for word in QUESTION_WORDS)
_LEADING_WORDS = frozenset(normalize(word) for word in LEADING_WORDS)
