"""Answers to the /cost walk's questions typed as a message instead of tapped: numbers for
users and years (the same words as the one-message form), amounts for the user's own hidden
costs; at a step that only takes a button, a reminder to tap one."""

from __future__ import annotations

from telegram import Update

from crm.costs import request as cost_request
from crm.costs.request import CostRequestError, RequestProblem, check_range, parse_count
from handlers import flows
from handlers.cancel_hints import tap_a_button
from handlers.context import CrmContext
from handlers.cost_buttons import HIDDEN, OFFERS, USERS, YEARS
from handlers.cost_problems import answer_problem, request_problem
from handlers.cost_questions import BY_STEP, AnswerError, Question, read_answer
from handlers.cost_sources import available_offers
from handlers.cost_walk import after_own, ask, ask_own, set_number


def _number_text(step: str):
    async def by_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        data = dict(flows.data(ctx))
        try:  # "12", "12 users", "на 3 года"; the same words as the one-message form
            unit = cost_request.USERS if step == USERS else cost_request.YEARS
            number = parse_count(update.message.text, unit)
            users, years = (number, 1) if step == USERS else (data["u"], number)
            check_range(users, years)
        except CostRequestError as error:
            if error.problem in (RequestProblem.users_range, RequestProblem.years_range):
                ctx.reply(request_problem(error, ctx))
            else:
                ctx.reply(_("Please send a whole number, e.g. 12."))
            return step
        await set_number(update, ctx, data, step, number)
        return flows.step_now(ctx)

    return by_text


def _buttons_only(step: str):
    async def by_text(update: Update, ctx: CrmContext) -> str | None:
        _ = ctx.t
        ctx.reply(tap_a_button(_))
        data = flows.data(ctx)
        ask(ctx, data, step, await available_offers(ctx) if step == OFFERS else None)
        return step

    return by_text


def _own_text(question: Question):
    async def by_text(update: Update, ctx: CrmContext) -> str | None:
        data = dict(flows.data(ctx))
        try:
            value = read_answer(question, update.message.text)
        except AnswerError as error:
            ctx.reply(answer_problem(error.problem, ctx))
            ask_own(ctx, data, question)
            return question.step
        data["r"] = dict(data.get("r", {}), **{question.field: value})
        await after_own(update, ctx, data, question.step)
        return flows.step_now(ctx)

    return by_text


STEPS_BY_TEXT = {
    USERS: _number_text(USERS),
    YEARS: _number_text(YEARS),
    OFFERS: _buttons_only(OFFERS),
    HIDDEN: _buttons_only(HIDDEN),
    **{step: _own_text(question) for step, question in BY_STEP.items()},
}
