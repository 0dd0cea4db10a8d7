"""A process dying at a chosen point of a job, for tests of what a restart then does."""

from __future__ import annotations


class Killed(BaseException):
    """The process dying at this point of the job: nothing after it runs, and no `except
    Exception` of the bot's catches it."""
