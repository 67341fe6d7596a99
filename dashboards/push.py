"""Upload the dashboards to a running Grafana (for sites that do not use provisioning).

Uses grafana-client against Grafana's HTTP API, the token sent as a Bearer token and never printed:

* folders (https://grafana.com/docs/grafana/latest/developer-resources/api-reference/http-api/folder/):
  ``GET /api/folders/:uid``, created with ``POST /api/folders`` when missing (uid ``pdcs-<folder>``);
* data sources (https://grafana.com/docs/grafana/latest/developer-resources/api-reference/http-api/data_source/):
  ``GET /api/datasources/uid/:uid``, created with ``POST /api/datasources`` when missing; one that exists is
  left as it is (it may carry settings made in Grafana: TLS, a proxy URL), and one whose URL or database
  differs from ours is reported so that it can be fixed or deleted and pushed again;
* dashboards (https://grafana.com/docs/grafana/latest/developer-resources/api-reference/http-api/dashboard/):
  ``POST /api/dashboards/db`` with ``overwrite`` so a re-run updates each one (without it Grafana answers
  412 ``version-mismatch`` for a board saved since, ``name-exists`` for a title taken in the folder).

A data source's read-only user and password come from the environment — the variables the provisioning
file of ``pdcs grafana build --shards`` names (``dashboards.shards.credential_names``) — and are sent only
in the data source's ``user`` and ``secureJsonData``; what is printed names uids, databases and hosts.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from dashboards.build import FOLDERS, Built
from dashboards.influxql import DATASOURCE_UID
from dashboards.shards import Credential, datasource


@dataclass(frozen=True)
class Board:
    """A board to save: its folder (``regions`` …) and its JSON."""

    folder: str
    data: dict[str, Any]

    @property
    def uid(self) -> str:
        return str(self.data["uid"])


@dataclass(frozen=True)
class Pushed:
    uid: str
    folder_uid: str
    url: str


def folder_uid(folder: str) -> str:
    return f"pdcs-{folder}"


def boards_of(built: Iterable[Built]) -> list[Board]:
    return [Board(b.folder, b.to_dict()) for b in built]


def store_copies(copies: Iterable[tuple[Path, dict[str, Any]]]) -> list[Board]:
    """``dashboards.shards.store_boards``' (folder/uid.json, JSON) as boards to save."""
    return [Board(rel.parent.name, data) for rel, data in copies]


def from_environment(name: str) -> str | None:
    """A data source credential from the environment (unset or empty: none)."""
    return os.environ.get(name) or None


def datasource_body(influx_url: str, database: str, credential: Credential = from_environment) -> dict[str, Any]:
    """The data source as provisioning/datasources/influxdb.yaml declares it."""
    return datasource("pdcs InfluxDB", DATASOURCE_UID, influx_url, database, None, default=True, credential=credential)


def where(source: dict[str, Any]) -> str:
    """``database @ host:port`` of a data source: no user, password or query a URL could carry."""
    parts = urllib.parse.urlsplit(str(source.get("url", "")))
    host = parts.hostname or "?"
    port = f":{parts.port}" if parts.port else ""
    return f"{(source.get('jsonData') or {}).get('dbName', '?')} @ {host}{port}"


def push(
    boards: list[Board],
    url: str,
    token: str,
    *,
    datasources: Iterable[dict[str, Any]] = (),
    progress: Callable[[str], None] = lambda _: None,
    warn: Callable[[str], None] = lambda _: None,
) -> list[Pushed]:
    """Create the missing ``datasources`` and folders, then save every board; returns what was saved."""
    from grafana_client.api import GrafanaApi
    from grafana_client.client import GrafanaClientError

    api = GrafanaApi.from_url(url, credential=token)

    def existing(call: Callable[[], Any]) -> Any:
        """The answer, or None when Grafana has no such thing (404)."""
        try:
            return call()
        except GrafanaClientError as exc:
            if exc.status_code == 404:
                return None
            raise

    for source in datasources:
        uid = source["uid"]
        found = existing(partial(api.datasource.get_datasource_by_uid, uid))
        if found is None:
            api.datasource.create_datasource(source)
            progress(f"created data source {uid} → {where(source)}")
        elif (str(found.get("url", "")).rstrip("/"), (found.get("jsonData") or {}).get("dbName")) != (
            str(source["url"]).rstrip("/"),
            source["jsonData"]["dbName"],
        ):
            warn(
                f"data source {uid} reads {where(found)}, not {where(source)}: left as it is "
                "(fix it in Grafana, or delete it and push again)"
            )
    for folder in sorted({b.folder for b in boards}):
        uid = folder_uid(folder)
        if existing(partial(api.folder.get_folder, uid)) is None:
            api.folder.create_folder(FOLDERS[folder], uid=uid)
            progress(f"created folder {FOLDERS[folder]} ({uid})")
    out = []
    for b in boards:
        body = {
            "dashboard": {**b.data, "id": None},
            "folderUid": folder_uid(b.folder),
            "overwrite": True,
            "message": "pdcs grafana push",
        }
        answer = api.dashboard.update_dashboard(body)
        out.append(Pushed(b.uid, folder_uid(b.folder), str(answer.get("url", ""))))
        progress(f"pushed {b.uid} → {answer.get('url', '')}")
    return out
