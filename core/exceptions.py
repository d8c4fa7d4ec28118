"""The one domain error type. Services raise it; the API handler and the
pages map its kind to a status and show its message."""
from __future__ import annotations

from enum import Enum


class ErrorKind(Enum):
    INVALID = 400
    FORBIDDEN = 403
    NOT_FOUND = 404
    CONFLICT = 409


class DomainError(Exception):
    def __init__(self, message: str, *, kind: ErrorKind = ErrorKind.INVALID, field: str | None = None):
        super().__init__(message)
        self.message = str(message)
        self.kind = kind
        self.field = field

    @property
    def status(self) -> int:
        return self.kind.value

    def as_dict(self) -> dict:
        if self.field:
            return {self.field: [self.message]}
        return {"detail": self.message}


def forbidden(message: str) -> DomainError:
    return DomainError(message, kind=ErrorKind.FORBIDDEN)


def not_found(message: str) -> DomainError:
    return DomainError(message, kind=ErrorKind.NOT_FOUND)


def conflict(message: str, *, field: str | None = None) -> DomainError:
    return DomainError(message, kind=ErrorKind.CONFLICT, field=field)


def invalid(message: str, *, field: str | None = None) -> DomainError:
    return DomainError(message, kind=ErrorKind.INVALID, field=field)
