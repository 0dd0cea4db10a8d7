"""The one-message form of /cost: "12 users 3 years", "12 пользователей на 3 года",
"12 vartotojų 3 metams", or a bare "12 3" (users, then years).

A number is tied to the word right after it ("12 users"), else to the word right before it
("users: 12"); numbers without a word fill users, then years, in order. Filler words ("for",
"на", "per") are ignored; any other word is refused, so a typo is named instead of guessed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from crm.costs.calculator import MAX_USERS, MAX_YEARS

DEFAULT_YEARS = 3

USERS = "users"
YEARS = "years"

# Word stems, matched against the start of a lower-cased word.
_STEMS = {
    USERS: (
        # en
        "user",
        "seat",
        "people",
        "person",
        "employee",
        "rep",
        "licen",
        "manager",
        "u",
        # ru
        "пользоват",
        "польз",
        "юзер",
        "человек",
        "чел",
        "сотрудник",
        "мест",
        "лицензи",
        "менеджер",
        # lt
        "vartotoj",
        "naudotoj",
        "žmon",
        "žmogus",
        "darbuotoj",
        "viet",
        "licencij",
        "vadybinink",
    ),
    YEARS: (
        # en
        "year",
        "yr",
        "yrs",
        "y",
        # ru
        "год",
        "лет",
        "г",
        # lt
        "met",
        "m",
    ),
}
# Stems this short only match the whole word ("u", "y", "г", "m"), not any word starting so.
_WHOLE_ONLY = {"u", "y", "г", "m", "yr", "yrs", "чел"}
_FILLER = {
    "for",
    "over",
    "per",
    "and",
    "of",
    "with",
    "in",
    "на",
    "за",
    "и",
    "для",
    "в",
    "по",
    "с",
    "ir",
    "už",
    "su",
    "cost",
    "/cost",
}
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+|/\w+", re.UNICODE)


class RequestProblem(StrEnum):
    empty = "empty"  # no number at all
    unknown_word = "unknown_word"  # a word we do not know
    fraction = "fraction"  # "1.5 years", "2,5 users"
    too_many = "too_many"  # more numbers than users and years, or one of them twice
    no_users = "no_users"  # years given, users not
    users_range = "users_range"
    years_range = "years_range"


class CostRequestError(ValueError):
    def __init__(self, problem: RequestProblem, word: str = ""):
        super().__init__(f"{problem}: {word}" if word else str(problem))
        self.problem = problem
        self.word = word


@dataclass(frozen=True)
class CostRequest:
    users: int
    years: int = DEFAULT_YEARS


def _tokens(text: str) -> list[str]:
    """Numbers and lower-cased words, filler words left out."""
    return [token for token in map(str.lower, _TOKEN.findall(text)) if token not in _FILLER]


def _unit(word: str) -> str | None:
    for unit, stems in _STEMS.items():
        for stem in stems:
            if word == stem or (stem not in _WHOLE_ONLY and word.startswith(stem)):
                return unit
    return None


def parse_cost_request(text: str) -> CostRequest:
    """Users and years from free text in en/ru/lt; years default to 3.

    Raises CostRequestError naming the problem (and the word that was not understood)."""
    tokens = _tokens(text)
    if not any(token[0].isdigit() for token in tokens):
        raise CostRequestError(RequestProblem.empty)
    found: dict[str, int] = {}
    bare: list[int] = []
    used: set[int] = set()  # indexes of unit words already tied to a number
    # "users: 12" puts the word first, "12 users" after: the first word that names a unit
    # before any number decides which neighbour a number looks at.
    words_first = _words_first(tokens)
    for index, token in enumerate(tokens):
        if not token[0].isdigit():
            continue
        if not token.isdigit():
            raise CostRequestError(RequestProblem.fraction, token)
        neighbour = index - 1 if words_first else index + 1
        unit = _unit(tokens[neighbour]) if 0 <= neighbour < len(tokens) else None
        if unit is None:
            bare.append(int(token))
            continue
        used.add(neighbour)
        if unit in found:
            raise CostRequestError(RequestProblem.too_many, token)
        found[unit] = int(token)
    for index, token in enumerate(tokens):
        if not token[0].isdigit() and index not in used:
            raise CostRequestError(RequestProblem.unknown_word, token)
    for unit in (USERS, YEARS):
        if unit not in found and bare:
            found[unit] = bare.pop(0)
    if bare:
        raise CostRequestError(RequestProblem.too_many, str(bare[0]))
    if USERS not in found:
        raise CostRequestError(RequestProblem.no_users)
    request = CostRequest(found[USERS], found.get(YEARS, DEFAULT_YEARS))
    check_range(request.users, request.years)
    return request


def parse_count(text: str, unit: str) -> int:
    """One number typed in answer to the walk's question of `unit` (USERS or YEARS): "12",
    "12 users", "на 3 года", "3 metams". A word of the other unit ("3 years" when users are
    asked) or any other word is refused, as the one-message form refuses it; the range is the
    caller's to check."""
    tokens = _tokens(text)
    numbers = [token for token in tokens if token[0].isdigit()]
    if not numbers:
        raise CostRequestError(RequestProblem.empty)
    if len(numbers) > 1:
        raise CostRequestError(RequestProblem.too_many, numbers[1])
    if not numbers[0].isdigit():
        raise CostRequestError(RequestProblem.fraction, numbers[0])
    for token in tokens:
        if not token[0].isdigit() and _unit(token) != unit:
            raise CostRequestError(RequestProblem.unknown_word, token)
    return int(numbers[0])


def _words_first(tokens: list[str]) -> bool:
    for token in tokens:
        if token[0].isdigit():
            return False
        if _unit(token) is not None:
            return True
    return False


def check_range(users: int, years: int) -> None:
    if not 1 <= users <= MAX_USERS:
        raise CostRequestError(RequestProblem.users_range, str(users))
    if not 1 <= years <= MAX_YEARS:
        raise CostRequestError(RequestProblem.years_range, str(years))
