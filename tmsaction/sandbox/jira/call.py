"""One routed request to the Jira emulator (`Call`) and the error a handler raises (`BadRequest`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tmsaction.sandbox.jira.views import View
from tmsaction.sandbox.jira.world import User
from tmsaction.sandbox.server import Request

NOT_FOUND_ISSUE = "Issue does not exist or you do not have permission to see it."


class BadRequest(Exception):
    """Raised by handlers to answer an Error Collection."""

    def __init__(
        self,
        status: int,
        messages: list[str] | None = None,
        errors: dict[str, str] | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(status, messages, errors)
        self.status = status
        self.messages = messages or []
        self.errors = errors or {}
        self.detail = detail


@dataclass
class Call:
    """One routed request: who sent it, which API version, path arguments, query parameters."""

    request: Request
    version: int
    user: User
    view: View
    args: tuple[str, ...]
    query: dict[str, list[str]] = field(default_factory=dict)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default

    def param_list(self, name: str) -> list[str]:
        """Repeated and comma-separated values (`fields=a,b&fields=c`)."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(part.strip() for part in value.split(",") if part.strip())
        return out

    def int_param(self, name: str, default: int) -> int:
        value = self.param(name)
        if value is None or value == "":
            return default
        try:
            return int(value)
        except ValueError:
            raise BadRequest(400, [f"The '{name}' parameter must be a number."]) from None

    def json(self) -> Any:
        try:
            return self.request.json()
        except ValueError as error:
            raise BadRequest(400, [f"Unexpected character in the request body: {error}"]) from None

    def json_object(self) -> dict[str, Any]:
        body = self.json()
        if not isinstance(body, dict):
            raise BadRequest(400, ["The request body must be a JSON object."])
        return body
