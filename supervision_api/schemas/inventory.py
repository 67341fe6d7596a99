"""``/inventory/import``."""

from __future__ import annotations

from supervision_api.schemas.common import Answer


class ImportResult(Answer):
    files: list[str]
    created: dict[str, int]
    updated: dict[str, int]


class Problems(Answer):
    """A refused import: nothing was stored; one line per problem (file:line: field: message)."""

    detail: str
    code: str
    problems: list[str]
