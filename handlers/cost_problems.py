"""What /cost says when a request or a typed answer is refused."""

from __future__ import annotations

from crm.costs.calculator import CostProblem
from crm.costs.request import CostRequestError, RequestProblem
from handlers.context import CrmContext
from handlers.cost_answer import escape, problem_text
from handlers.cost_questions import AnswerProblem


def request_problem(error: CostRequestError, ctx: CrmContext) -> str:
    _ = ctx.t
    word = escape(error.word)
    texts = {
        RequestProblem.empty: _("How many users, over how many years?"),
        RequestProblem.unknown_word: _("I did not understand “{word}”."),
        RequestProblem.fraction: _("Users and years are whole numbers, not “{word}”."),
        RequestProblem.too_many: _("Too many numbers: I need only users and years."),
        RequestProblem.no_users: _("How many users?"),
        # the calculator's own limits, said in the calculator's words
        RequestProblem.users_range: problem_text(CostProblem.users_out_of_range, _),
        RequestProblem.years_range: problem_text(CostProblem.years_out_of_range, _),
    }
    return texts[error.problem].format(word=word)


def examples(ctx: CrmContext) -> str:
    _ = ctx.t
    return _(
        "For example: <code>/cost 12 users 3 years</code>, or just /cost to answer step by step."
    )


def answer_problem(problem: AnswerProblem, ctx: CrmContext) -> str:
    _ = ctx.t
    texts = {
        AnswerProblem.not_a_number: _("Please send a number, e.g. 1500, or tap Skip."),
        AnswerProblem.negative: _(
            "The number cannot be negative. Please send it again, or tap Skip."
        ),
        AnswerProblem.not_whole: _("Please send a whole number, e.g. 3, or tap Skip."),
        AnswerProblem.over_100: _("Please send a share from 0 to 100%, e.g. 5, or tap Skip."),
        AnswerProblem.too_large: _("That number is too large. Please check it, or tap Skip."),
    }
    return texts[problem]
