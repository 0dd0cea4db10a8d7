"""The one-message form of /cost: users and years in en/ru/lt, in any order."""

from __future__ import annotations

import pytest

from crm.costs.request import (
    DEFAULT_YEARS,
    USERS,
    YEARS,
    CostRequest,
    CostRequestError,
    RequestProblem,
    parse_cost_request,
    parse_count,
)


@pytest.mark.parametrize(
    ("text", "users", "years"),
    [
        # en
        ("12 users 3 years", 12, 3),
        ("12 users, 3 years", 12, 3),
        ("3 years 12 users", 12, 3),
        ("12 Users for 5 Years", 12, 5),
        ("1 user 1 year", 1, 1),
        ("15 seats over 2 yrs", 15, 2),
        ("users: 12, years: 4", 12, 4),
        ("12u 3y", 12, 3),
        # ru
        ("12 пользователей 3 года", 12, 3),
        ("12 человек на 3 года", 12, 3),
        ("на 5 лет 20 сотрудников", 20, 5),
        ("1 пользователь, 1 год", 1, 1),
        ("7 чел 2 г", 7, 2),
        # lt
        ("12 vartotojų 3 metams", 12, 3),
        ("12 vartotojų 3 metai", 12, 3),
        ("5 metų 30 darbuotojų", 30, 5),
        ("1 vartotojas 1 metus", 1, 1),
        ("8 naudotojai, 2 metai", 8, 2),
        # bare numbers: users, then years
        ("12 3", 12, 3),
        ("12, 3", 12, 3),
        ("12 users 5", 12, 5),
        ("3 years 40", 40, 3),
    ],
)
def test_reads_users_and_years(text, users, years):
    assert parse_cost_request(text) == CostRequest(users, years)


@pytest.mark.parametrize("text", ["12", "12 users", "12 пользователей", "12 vartotojų"])
def test_years_default_to_three(text):
    assert parse_cost_request(text) == CostRequest(12, DEFAULT_YEARS)
    assert DEFAULT_YEARS == 3


@pytest.mark.parametrize(
    ("text", "problem", "word"),
    [
        ("", RequestProblem.empty, ""),
        ("users years", RequestProblem.empty, ""),
        ("12 apples", RequestProblem.unknown_word, "apples"),
        ("12 users 3 лошади", RequestProblem.unknown_word, "лошади"),
        ("1.5 years 10 users", RequestProblem.fraction, "1.5"),
        ("10,5 users", RequestProblem.fraction, "10,5"),
        ("12 3 4", RequestProblem.too_many, "4"),
        ("12 users 14 users", RequestProblem.too_many, "14"),
        ("3 years", RequestProblem.no_users, ""),
        ("0 users", RequestProblem.users_range, "0"),
        ("100000 users", RequestProblem.users_range, "100000"),
        ("12 users 0 years", RequestProblem.years_range, "0"),
        ("12 users 11 years", RequestProblem.years_range, "11"),
    ],
)
def test_refuses_what_it_cannot_read(text, problem, word):
    with pytest.raises(CostRequestError) as caught:
        parse_cost_request(text)
    assert (caught.value.problem, caught.value.word) == (problem, word)


@pytest.mark.parametrize(
    ("text", "unit", "number"),
    [
        ("12", USERS, 12),
        ("12 users", USERS, 12),
        ("12 пользователей", USERS, 12),
        ("12 naudotojų", USERS, 12),
        ("на 4 года", YEARS, 4),
        ("4 years", YEARS, 4),
        ("3 metams", YEARS, 3),
        ("лет 5", YEARS, 5),
    ],
)
def test_one_number_typed_in_the_walk(text, unit, number):
    assert parse_count(text, unit) == number


@pytest.mark.parametrize(
    ("text", "unit", "problem"),
    [
        ("3 years", USERS, RequestProblem.unknown_word),  # the other question's unit
        ("12 users", YEARS, RequestProblem.unknown_word),
        ("12 apples", USERS, RequestProblem.unknown_word),
        ("many", USERS, RequestProblem.empty),
        ("2,5", YEARS, RequestProblem.fraction),
        ("12 3", USERS, RequestProblem.too_many),
    ],
)
def test_a_typed_number_that_does_not_answer_the_question(text, unit, problem):
    with pytest.raises(CostRequestError) as raised:
        parse_count(text, unit)
    assert raised.value.problem == problem
