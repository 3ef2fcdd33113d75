"""Errors the engine raises. Each carries a sentence a school administrator can act on.

Engine errors know nothing of HTTP; the web layer and the CLI map them to responses and exit codes.
"""
from __future__ import annotations

from dataclasses import dataclass


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""

    code = "engine_error"


@dataclass
class Problem:
    """One reason a procedure file was refused: where it is and what is wrong."""

    file: str
    line: int | None
    element_id: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        element = f" [{self.element_id}]" if self.element_id else ""
        return f"{where}{element}: {self.message}"


class DefinitionError(EngineError):
    """Raised when a procedure file is refused at deployment; nothing of it is stored."""

    code = "invalid_definition"

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def line(self) -> int | None:
        return self.problems[0].line

    @property
    def element_id(self) -> str | None:
        return self.problems[0].element_id


class NotFound(EngineError):
    """Raised when a definition, instance, task or user does not exist."""

    code = "not_found"


class NotAllowed(EngineError):
    """Raised when a user acts on a task or case they may not act on."""

    code = "forbidden"


class InvalidInput(EngineError):
    """Raised when submitted data does not satisfy the task's form; ``field_errors`` maps field to message."""

    code = "invalid_input"

    def __init__(self, message: str, field_errors: dict[str, str] | None = None):
        self.field_errors = field_errors or {}
        super().__init__(message)


class ConcurrentUpdate(EngineError):
    """Raised when someone else changed the same case first; the caller's change was not saved."""

    code = "conflict"


class ScriptError(EngineError):
    """Raised when an expression or script is refused or fails; nothing it did is kept."""

    code = "script_error"


class UndefinedName(ScriptError):
    """Raised when an expression uses a name the case's data does not have (yet)."""


class InstanceError(EngineError):
    """Raised when running a case fails inside the procedure (a condition, a timer expression)."""

    code = "instance_error"
