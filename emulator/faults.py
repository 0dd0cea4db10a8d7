"""Fault injection: make the next N calls of a method fail or hang, to test retry logic."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

from emulator.state import ApiError

ANY_METHOD = "*"


@dataclass
class Fault:
    method: str  # lower-cased method name or "*"
    remaining: int
    token: str | None = None
    status: int | None = None  # set for failures
    description: str | None = None
    retry_after: int | None = None
    delay: float = 0.0  # set for delays
    after: bool = False  # delay the response after executing the method

    def matches(self, method: str, token: str) -> bool:
        return (
            self.remaining > 0
            and self.method in (ANY_METHOD, method.lower())
            and self.token in (None, token)
        )

    def error(self) -> ApiError:
        status = self.status or 500
        parameters = None
        description = self.description
        if status == HTTPStatus.TOO_MANY_REQUESTS:
            retry_after = self.retry_after if self.retry_after is not None else 1
            parameters = {"retry_after": retry_after}
            description = description or f"Too Many Requests: retry after {retry_after}"
        if description is None:
            try:
                description = HTTPStatus(status).phrase
            except ValueError:
                description = "Unknown Error"
        return ApiError(status, description, parameters)


class FaultPlan:
    """Pending faults, consumed in the order they were added."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def clear(self) -> None:
        self._faults.clear()

    def take(self, method: str, token: str) -> tuple[Fault | None, Fault | None]:
        """Consume at most one delay and one failure matching this call."""
        delay = self._take(method, token, failure=False)
        failure = self._take(method, token, failure=True)
        return delay, failure

    def _take(self, method: str, token: str, *, failure: bool) -> Fault | None:
        for fault in self._faults:
            if (fault.status is not None) == failure and fault.matches(method, token):
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self._faults.remove(fault)
                return fault
        return None
