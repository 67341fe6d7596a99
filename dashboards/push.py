"""Upload the dashboards to a running Grafana (for sites that do not use provisioning).

Uses grafana-client against Grafana's HTTP API: the folders are created when
missing (uid ``pdcs-<folder>``), the InfluxDB data source is created when an
InfluxDB URL is given and it is missing, and every dashboard is saved with
``overwrite`` so a re-run updates it.  The token is sent as a Bearer token and
never printed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dashboards.build import FOLDERS, Built
from dashboards.influxql import DATASOURCE_TYPE, DATASOURCE_UID


@dataclass(frozen=True)
class Pushed:
    uid: str
    folder_uid: str
    url: str


def folder_uid(folder: str) -> str:
    return f"pdcs-{folder}"


def datasource_body(influx_url: str, database: str) -> dict[str, Any]:
    """The data source as provisioning/datasources/influxdb.yaml declares it."""
    return {
        "name": "pdcs InfluxDB",
        "uid": DATASOURCE_UID,
        "type": DATASOURCE_TYPE,
        "access": "proxy",
        "url": influx_url,
        "isDefault": True,
        "jsonData": {"dbName": database, "httpMode": "POST", "timeInterval": "60s"},
    }


def push(
    built: list[Built],
    url: str,
    token: str,
    *,
    influx_url: str | None = None,
    influx_db: str = "pdcs",
    progress: Callable[[str], None] = lambda _: None,
) -> list[Pushed]:
    from grafana_client.api import GrafanaApi
    from grafana_client.client import GrafanaClientError

    api = GrafanaApi.from_url(url, credential=token)

    def missing(call: Callable[[], object]) -> bool:
        try:
            call()
        except GrafanaClientError as exc:
            if exc.status_code == 404:
                return True
            raise
        return False

    if influx_url and missing(lambda: api.datasource.get_datasource_by_uid(DATASOURCE_UID)):
        api.datasource.create_datasource(datasource_body(influx_url, influx_db))
        progress(f"created data source {DATASOURCE_UID} → {influx_url}")
    for folder in sorted({b.folder for b in built}):
        uid = folder_uid(folder)
        if missing(lambda uid=uid: api.folder.get_folder(uid)):  # type: ignore[misc]
            api.folder.create_folder(FOLDERS[folder], uid=uid)
            progress(f"created folder {FOLDERS[folder]} ({uid})")
    out = []
    for b in built:
        body = {
            "dashboard": {**b.to_dict(), "id": None},
            "folderUid": folder_uid(b.folder),
            "overwrite": True,
            "message": "pdcs grafana push",
        }
        answer = api.dashboard.update_dashboard(body)
        out.append(Pushed(b.uid, folder_uid(b.folder), str(answer.get("url", ""))))
        progress(f"pushed {b.uid} → {answer.get('url', '')}")
    return out
