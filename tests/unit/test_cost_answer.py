"""The /cost answer as text: seat tricks both ways, splitting long answers, every problem named,
and the "Enter my own" questions' answers read into a roll-out."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.costs.calculator import CostProblem, compare
from crm.costs.model import LicenseKind, Offer, PriceTier, Rollout
from crm.i18n import Catalogs
from handlers.cost_answer import Money, answer_messages, problem_text, trick_text
from handlers.cost_questions import (
    BY_STEP,
    RECORD_PRICE,
    AnswerError,
    AnswerProblem,
    next_question,
    read_answer,
    rollout_of,
)
from handlers.message_split import MESSAGE_LIMIT

EN = Catalogs().translator("en")
MONEY = Money(EN, "EUR")


def subscription(name: str, *tiers: tuple[int, int]) -> Offer:
    return Offer(
        name=name,
        kind=LicenseKind.subscription,
        currency="EUR",
        tiers=tuple(PriceTier(seats, Decimal(price)) for seats, price in tiers),
        key=f"workspace:{name}",
    )


def test_a_seat_trick_that_does_not_pay_says_to_buy_the_seats_needed():
    # 2 users: 2 x 20 = 40 a month against 10 x 12 = 120 a month
    [cost] = compare([subscription("Q", (1, 20), (10, 12))], users=2, years=1).offers
    text = trick_text(cost.trick, 2, EN, MONEY)
    assert text == (
        "⚠️ The price €12.00 holds from 10 seats; you need 2: buying 10 at €12.00 costs "
        "€1,440.00, 2 at €20.00 costs €480.00 — buy 2: the bigger package would cost "
        "€960.00 more."
    )


def test_a_long_answer_is_split_between_offers_under_the_limit():
    offers = [subscription(f"Plan number {n:02}", (1, 10 + n)) for n in range(40)]
    comparison = compare(offers, users=5, years=10)
    messages = answer_messages(comparison, EN, "EUR", typical=False)
    assert len(messages) > 1
    assert all(len(message) <= MESSAGE_LIMIT for message in messages)
    text = "\n\n".join(messages)
    for rank in range(1, 41):
        assert text.count(f"<b>{rank}. Plan number") == 1
    for message in messages:  # never cut inside a table
        assert message.count("<pre>") == message.count("</pre>")
    assert messages[0].startswith("<b>What a CRM will cost</b>")
    assert "🏆 The cheapest: <b>Plan number 00</b>" in messages[-1]


@pytest.mark.parametrize("problem", list(CostProblem))
def test_every_calculator_problem_has_a_message(problem):
    assert problem_text(problem, EN, "Q <1>")


def test_own_answers_become_a_rollout_and_questions_that_no_longer_matter_are_not_asked():
    answers: dict[str, str] = {}
    assert next_question(answers, None).step == "records"
    answers["migration_records"] = read_answer(BY_STEP["records"], "5 000")
    assert next_question(answers, "records").step == "cleaning"
    assert next_question({}, "records").step == "migration"  # no records: a price instead
    assert next_question({}, "manager").step == "support"  # no hours: no hourly rate
    assert next_question({}, "revenue") is None  # no revenue: no share, no months
    # a currency without a typical price per record: the whole migration's price is asked
    assert next_question({RECORD_PRICE: "0"}, None).step == "migration"
    assert next_question({RECORD_PRICE: "0.05"}, None).step == "records"
    answers["loss_share"] = read_answer(BY_STEP["share"], "12,5%")
    answers["hosting_per_month"] = read_answer(BY_STEP["hosting"], "40 €")
    rollout = rollout_of(answers, per_record=Decimal("0.02"))
    assert rollout == Rollout(
        migration_records=5000,
        migration_per_record=Decimal("0.02"),
        loss_share=Decimal("0.125"),
        hosting_per_month=Decimal(40),
    )


@pytest.mark.parametrize(
    ("step", "text", "problem"),
    [
        ("records", "1.5", AnswerProblem.not_whole),
        ("records", "-3", AnswerProblem.negative),
        ("share", "120", AnswerProblem.over_100),
        ("months", "999", AnswerProblem.too_large),
        ("rate", "x", AnswerProblem.not_a_number),
    ],
)
def test_answers_a_question_cannot_take_are_refused_with_the_reason(step, text, problem):
    with pytest.raises(AnswerError) as raised:
        read_answer(BY_STEP[step], text)
    assert raised.value.problem == problem


RU = Catalogs().translator("ru")
LT = Catalogs().translator("lt")


def _example(kind: LicenseKind, **price) -> Offer:
    from datetime import date

    return Offer(
        name="Box",
        kind=kind,
        currency="EUR",
        key="catalogue:box",
        example=True,
        source="https://example.com/pricing",
        as_of=date(2026, 11, 1),
        **price,
    )


@pytest.mark.parametrize(
    ("t", "words"),
    [
        (EN, "check current prices; source: https://example.com/pricing"),
        (RU, "проверьте актуальные цены; источник: https://example.com/pricing"),
        (LT, "pasitikrinkite dabartines kainas; šaltinis: https://example.com/pricing"),
    ],
)
def test_an_example_plan_says_check_current_prices_in_the_readers_language(t, words):
    offer = _example(LicenseKind.subscription, tiers=(PriceTier(1, Decimal(10)),))
    text = "\n".join(answer_messages(compare([offer], users=2, years=1), t, "EUR", typical=False))
    assert words in text
    assert "(example" not in text


@pytest.mark.parametrize(
    ("users", "years", "head", "seats"),
    [
        (1, 1, "1 пользователь · 1 год", "1 место × €10.00 в месяц"),
        (3, 2, "3 пользователя · 2 года", "3 места × €10.00 в месяц"),
        (12, 5, "12 пользователей · 5 лет", "12 мест × €10.00 в месяц"),
        (21, 10, "21 пользователь · 10 лет", "21 место × €10.00 в месяц"),
    ],
)
def test_russian_counts_agree_with_their_nouns(users, years, head, seats):
    offer = subscription("Q", (1, 10))
    text = "\n".join(
        answer_messages(compare([offer], users=users, years=years), RU, "EUR", typical=False)
    )
    assert head in text
    assert seats.replace("€10.00", RU.money(Decimal(10), "EUR")) in text


def test_lithuanian_counts_agree_with_their_nouns():
    offer = subscription("Q", (1, 10))
    text = "\n".join(answer_messages(compare([offer], users=12, years=2), LT, "EUR", typical=False))
    assert "12 naudotojų · 2 metai" in text
    assert f"12 vietų × {LT.money(Decimal(10), 'EUR')} per mėnesį" in text


def test_a_self_hosted_example_says_its_running_costs_are_estimates():
    offer = _example(LicenseKind.self_hosted, flat_price=Decimal(0), server_per_month=Decimal(20))
    text = "\n".join(answer_messages(compare([offer], users=2, years=1), RU, "EUR", typical=False))
    assert "расходы на сервер и администрирование — оценка" in text


def test_the_charts_whole_amounts_have_no_cents():
    assert Money(RU, "RUB").whole(Decimal(1_000_000)) == "1\xa0000\xa0000\xa0₽"
    assert Money(EN, "EUR").whole(Decimal(250_000)) == "€250,000"
    assert Money(LT, "EUR").whole(Decimal("12.5")) == "12,50\xa0€"  # cents when there are some


def test_the_license_kind_is_named_in_the_readers_language():
    offer = _example(LicenseKind.self_hosted, flat_price=Decimal(0), server_per_month=Decimal(20))
    for t, kind in (
        (EN, "Self-hosted copy"),
        (RU, RU("Self-hosted copy")),
        (LT, LT("Self-hosted copy")),
    ):
        text = answer_messages(compare([offer], users=2, years=1), t, "EUR", typical=False)[0]
        assert f"<b>1. Box</b> ({kind})" in text
    assert RU("Self-hosted copy") != "Self-hosted copy"
