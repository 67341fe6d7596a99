"""``/devices/{id}/syslog``: a device's syslog messages from the rsyslog store (collectors/syslog).

Scoped through ``DeviceDep``; messages are those the device's address sent.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from collectors.syslog.store import search
from supervision_api.deps import DeviceDep, StateDep
from supervision_api.schemas.syslog import SyslogSearchOut

router = APIRouter(tags=["syslog"])
BEIJING = ZoneInfo("Asia/Shanghai")


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=BEIJING) if t is not None and t.tzinfo is None else t


@router.get("/devices/{device_id}/syslog", response_model=SyslogSearchOut, summary="A device's syslog messages")
def device_syslog(
    device: DeviceDep,
    state: StateDep,
    start: datetime | None = Query(None, description="ISO 8601; default 24 hours before end"),
    end: datetime | None = Query(None, description="ISO 8601; default now"),
    q: str | None = Query(None, max_length=200, description="only messages containing this text"),
    severity: list[str] = Query([], description="only these severities (err, warning, …)"),
    limit: int = Query(200, ge=1, le=5000),
) -> dict[str, Any]:
    stop = _aware(end) or datetime.now(UTC)
    begin = _aware(start) or stop - timedelta(days=1)
    ips = [device.host_port(0)[0]] if device.address else []
    found = search(state.settings.syslog_store, ips, begin, stop, text=q, severities=set(severity) or None,
                   limit=limit)  # fmt: skip
    data = [
        {"time": m.time.astimezone(UTC).isoformat(), "reported": m.reported, "host": m.host, "facility": m.facility,
         "severity": m.severity, "app": m.app, "message": m.message, "encoding": m.encoding}
        for m in found
    ]  # fmt: skip
    return {"device": device.id, "start": begin.isoformat(), "end": stop.isoformat(), "count": len(data), "data": data}
