"""The short questions of "Enter my own" hidden costs in /cost: one number each, each with Skip.

A question is asked only when it still matters (no cleaning hours without records to move, no
hourly rate when no hours were counted, no loss share without a revenue). The answers are kept
as strings in the flow's data (`r`), by `Rollout` field, and become a `Rollout` at the end."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Any

from crm.costs.amounts import parse_amount
from crm.costs.model import Rollout
from crm.i18n import N_

MAX_AMOUNT = Decimal(10) ** 10
MAX_HOURS = Decimal(100_000)
MAX_RECORDS = 100_000_000
MAX_MONTHS = 120
HOUR_FIELDS = ("cleaning_hours", "training_hours_per_user", "manager_hours")


class Answer(StrEnum):
    count = "count"  # a whole number: records, months
    amount = "amount"  # money in the workspace's currency
    hours = "hours"
    percent = "percent"  # 0..100, kept as a share 0..1


@dataclass(frozen=True)
class Question:
    step: str  # the flow step and the button's part
    field: str  # the Rollout field it fills
    answer: Answer
    prompt: str  # marked with N_, may use {currency}
    asked: Callable[[dict[str, Any]], bool] = lambda answers: True


def _given(answers: dict[str, Any], field: str) -> bool:
    return Decimal(answers.get(field, "0")) > 0


# Set by the walk before the first question: the typical price of moving one record, "0" when
# the currency has none. Records cannot be priced without it, so the walk asks for the whole
# migration's price instead.
RECORD_PRICE = "migration_per_record"


def _records_priced(answers: dict[str, Any]) -> bool:
    return Decimal(answers.get(RECORD_PRICE, "1")) > 0


QUESTIONS: tuple[Question, ...] = (
    Question(
        "records",
        "migration_records",
        Answer.count,
        N_(
            "<b>Data migration.</b> How many records (organizations, contacts, deals) will you "
            "move to the new CRM?"
        ),
        _records_priced,
    ),
    Question(
        "cleaning",
        "cleaning_hours",
        Answer.hours,
        N_("How many hours of work will cleaning these records take?"),
        lambda answers: _given(answers, "migration_records"),
    ),
    Question(
        "migration",
        "migration_amount",
        Answer.amount,
        N_("Do you have a price for the whole data migration? Send the amount in {currency}."),
        lambda answers: not _given(answers, "migration_records"),
    ),
    Question(
        "custom",
        "customization",
        Answer.amount,
        N_("<b>Customization</b> (access rights, reports, tasks): the amount in {currency}?"),
    ),
    Question(
        "integr",
        "integration",
        Answer.amount,
        N_("<b>Integration</b> with the web site, 1C and telephony: the amount in {currency}?"),
    ),
    Question(
        "training",
        "training_hours_per_user",
        Answer.hours,
        N_("<b>Training.</b> How many hours will each user spend learning the CRM?"),
    ),
    Question(
        "manager",
        "manager_hours",
        Answer.hours,
        N_("<b>The manager's time.</b> How many hours will the roll-out take them?"),
    ),
    Question(
        "rate",
        "hourly_rate",
        Answer.amount,
        N_("What does an hour of staff time cost, in {currency}?"),
        lambda answers: any(_given(answers, field) for field in HOUR_FIELDS),
    ),
    Question(
        "support",
        "support_per_month",
        Answer.amount,
        N_("<b>Support</b> from the vendor or an integrator: how much a month, in {currency}?"),
    ),
    Question(
        "hosting",
        "hosting_per_month",
        Answer.amount,
        N_("<b>Hosting</b> (a server for a self-hosted CRM): how much a month, in {currency}?"),
    ),
    Question(
        "revenue",
        "monthly_revenue",
        Answer.amount,
        N_(
            "<b>Losses while the team switches over.</b> What is your monthly revenue, "
            "in {currency}?"
        ),
    ),
    Question(
        "share",
        "loss_share",
        Answer.percent,
        N_("What share of it may be lost during the switch, in %?"),
        lambda answers: _given(answers, "monthly_revenue"),
    ),
    Question(
        "months",
        "loss_months",
        Answer.count,
        N_("For how many months?"),
        lambda answers: _given(answers, "monthly_revenue") and _given(answers, "loss_share"),
    ),
)
BY_STEP = {question.step: question for question in QUESTIONS}


def next_question(answers: dict[str, Any], after: str | None) -> Question | None:
    start = [q.step for q in QUESTIONS].index(after) + 1 if after else 0
    return next((q for q in QUESTIONS[start:] if q.asked(answers)), None)


class AnswerProblem(StrEnum):
    """Why a typed answer is refused; each names the message that asks again."""

    not_a_number = "not_a_number"
    negative = "negative"
    not_whole = "not_whole"  # records, months
    over_100 = "over_100"  # a percentage
    too_large = "too_large"


class AnswerError(ValueError):
    def __init__(self, problem: AnswerProblem):
        super().__init__(problem.value)
        self.problem = problem


def read_answer(question: Question, text: str) -> str:
    """The typed answer as a Decimal string for the flow's data; `AnswerError` when it is not
    a number this question accepts."""
    try:
        value = parse_amount(text)
    except ValueError:
        raise AnswerError(AnswerProblem.not_a_number) from None
    if value < 0:
        raise AnswerError(AnswerProblem.negative)
    if question.answer == Answer.count:
        if value != value.to_integral_value():
            raise AnswerError(AnswerProblem.not_whole)
        limit = MAX_MONTHS if question.field == "loss_months" else MAX_RECORDS
        if value > limit:
            raise AnswerError(AnswerProblem.too_large)
        return str(int(value))
    if question.answer == Answer.percent:
        if value > 100:
            raise AnswerError(AnswerProblem.over_100)
        return str(value / 100)
    if value > (MAX_HOURS if question.answer == Answer.hours else MAX_AMOUNT):
        raise AnswerError(AnswerProblem.too_large)
    return str(value)


def rollout_of(answers: dict[str, Any], *, per_record: Decimal = Decimal(0)) -> Rollout:
    """The roll-out the answers describe; a record is priced at `per_record` (the typical)."""
    values: dict[str, Any] = {}
    for question in QUESTIONS:
        if question.field in answers:
            value = Decimal(answers[question.field])
            values[question.field] = int(value) if question.answer == Answer.count else value
    if values.get("migration_records"):
        values["migration_per_record"] = per_record
    return Rollout(**values)
