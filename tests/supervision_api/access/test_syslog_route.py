"""``GET /devices/{id}/syslog``: a device's messages from the rsyslog store, inside the caller's scope only."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from supervision_api.db.users import Role
from tests.supervision_api.access.conftest import Api


def test_syslog_search_in_scope_and_refused_outside(make_api: Callable[[], Api], tmp_path: Path) -> None:
    api = make_api()
    api.state.settings.syslog_store = tmp_path / "store"
    now = datetime.now(UTC)
    f = tmp_path / "store" / "10.1.0.1" / f"{now.date().isoformat()}.jsonl"  # jt-lib-sw1's address
    f.parent.mkdir(parents=True)
    lines = [
        {"t": (now - timedelta(minutes=10)).isoformat(), "ip": "10.1.0.1", "fac": "auth", "sev": "warning",
         "app": "sshd", "host": "sw1", "rt": "", "msg": "Failed password for root"},
        {"t": (now - timedelta(minutes=5)).isoformat(), "ip": "10.1.0.1", "fac": "local7", "sev": "err",
         "app": "IOS", "host": "sw1", "rt": "", "msg": "%LINK-3-UPDOWN: Interface Gi0/1, changed state to down"},
    ]  # fmt: skip
    raw = b"".join(json.dumps(x, ensure_ascii=False).encode() + b"\n" for x in lines)
    gbk_line = json.dumps({"t": now.isoformat(), "ip": "10.1.0.1", "sev": "notice", "msg": "接口状态变为 DOWN"},
                          ensure_ascii=False)  # fmt: skip
    raw += gbk_line.encode("gbk") + b"\n"  # as GBK gear sends it, passed through by rsyslog
    f.write_bytes(raw)

    staff = api.client(Role.COUNTY_STAFF, "510121")
    r = staff.get("/devices/jt-lib-sw1/syslog")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["count"] == 3 and body["data"][0]["message"] == "接口状态变为 DOWN"
    assert body["data"][0]["encoding"] == "gb18030" and body["data"][2]["app"] == "sshd"
    r = staff.get("/devices/jt-lib-sw1/syslog", params={"severity": "err", "q": "UPDOWN"})
    assert [m["severity"] for m in r.json()["data"]] == ["err"]
    # another county's device: the same 404 as an unknown id (issue 15)
    assert api.client(Role.COUNTY_STAFF, "510129").get("/devices/jt-lib-sw1/syslog").status_code == 404
