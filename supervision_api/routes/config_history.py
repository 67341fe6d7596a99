"""``/devices/{id}/config/diff``: what changed in a device's configuration (collectors/config_history).

The device comes through ``DeviceDep``, so the answer exists only inside the
caller's region scope.  The history is the git repository in
``PDCS_CONFIG_HISTORY_DIR`` (the collector's, or a clone of it); its texts are
masked before they were ever committed, so no secret can be answered.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from collectors.config_history.repo import ConfigRepo, Version
from supervision_api.deps import DeviceDep, StateDep
from supervision_api.schemas.config_history import ConfigDiffOut

router = APIRouter(tags=["config"])
BEIJING = ZoneInfo("Asia/Shanghai")


def _version(v: Version | None) -> dict[str, str] | None:
    return None if v is None else {"commit": v.commit, "time": v.time.isoformat(), "source": v.source}


@router.get(
    "/devices/{device_id}/config/diff",
    response_model=ConfigDiffOut,
    summary="Configuration changes of a device: from the version in force at `since` (else the previous) to the latest",
)
def config_diff(
    device: DeviceDep,
    state: StateDep,
    since: datetime | None = Query(None, description="ISO 8601 with a time zone; the version in force then"),
) -> dict[str, Any]:
    if since is not None and since.tzinfo is None:
        since = since.replace(tzinfo=BEIJING)  # a time without a zone is Beijing time
    repo = ConfigRepo(state.settings.config_history_dir)
    d = repo.diff(device.id, since)
    return {
        "device": device.id,
        "versions": len(repo.versions(device.id)) if d else 0,
        "since": since.isoformat() if since else None,
        "old": _version(d.old) if d else None,
        "new": _version(d.new) if d else None,
        "added": list(d.added) if d else [],
        "removed": list(d.removed) if d else [],
        "unified": d.unified if d else "",
    }
