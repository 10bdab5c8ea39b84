"""Open311 errors: a list of {code, description} with the matching HTTP status.

The spec asks for 404 when a resource (jurisdiction, service, request, token) does not exist,
403 for a missing or wrong api_key, and 400 for anything else the request gets wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Open311Error(Exception):
    status: int
    errors: list[tuple[int, str]] = field(default_factory=list)

    @classmethod
    def single(cls, status: int, description: str) -> Open311Error:
        return cls(status, [(status, str(description))])


def bad_request(description: str) -> Open311Error:
    return Open311Error.single(400, description)


def forbidden(description: str) -> Open311Error:
    return Open311Error.single(403, description)


def not_found(description: str) -> Open311Error:
    return Open311Error.single(404, description)
