"""Answers of the configuration history routes."""

from __future__ import annotations

from supervision_api.schemas.common import Answer


class ConfigVersionOut(Answer):
    commit: str  # the git commit (40 hex digits)
    time: str  # when the configuration was fetched, ISO 8601 UTC
    source: str  # ssh_audit or fetch


class ConfigDiffOut(Answer):
    device: str
    versions: int  # versions stored for the device (0: no history yet)
    since: str | None  # the time asked for, ISO 8601
    old: ConfigVersionOut | None  # the version compared from (None: nothing before, every line is new)
    new: ConfigVersionOut | None  # the latest version (None: no history)
    added: list[str]  # configuration lines added, secrets masked
    removed: list[str]  # configuration lines removed, secrets masked
    unified: str  # the unified diff (masked text only)
