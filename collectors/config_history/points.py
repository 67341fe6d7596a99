"""A stored configuration change → one ``config_change`` point (what the ``config_changed`` alert reads)."""

from __future__ import annotations

from collectors.config_history.repo import Saved
from pdcs.points import CONFIG_CHANGE, FieldValue, Point


def change_point(saved: Saved, tags: dict[str, str]) -> Point | None:
    """None for a device's first version: nothing changed, the history just began."""
    if saved.previous is None:
        return None
    v = saved.version
    fields: dict[str, FieldValue] = {"added": saved.added, "removed": saved.removed, "commit": v.commit[:12]}
    return Point(CONFIG_CHANGE, {**tags, "source": v.source}, fields, int(v.time.timestamp() * 1e9))
