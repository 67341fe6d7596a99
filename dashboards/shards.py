"""Grafana over province stores: one data source per store of the shard map, the raw boards bound to each.

``pdcs grafana build --shards MAP --out DIR`` writes, beside the usual boards (bound to data source
``pdcs-influxdb``, the map's default store):

* ``DIR/datasources/pdcs.yaml`` — Grafana data-source provisioning: ``pdcs-influxdb`` (the default store),
  ``pdcs-influxdb-<key>`` per other store (``<key>``: its province codes, ``51`` or ``51-52``) and
  ``pdcs-national`` (the map's ``national``: the summaries the national and province boards read).
  Credentials are Grafana's own environment references (``$__env{…}``, Grafana's provisioning docs,
  https://grafana.com/docs/grafana/latest/administration/provisioning/#using-environment-variables):
  ``PDCS_INFLUX_READ_USER``/``PDCS_INFLUX_READ_PASSWORD`` for the default store as before, the same names
  suffixed ``_<key>`` (``-`` → ``_``) for another; no secret is ever written. Mount this folder as
  Grafana's ``provisioning/datasources`` instead of ``dashboards/provisioning/datasources``.
* one copy of every board that reads raw points (county, facility, device, security, collectors,
  usage) per other store: uid ``<uid>-<key>``, title suffixed with the provinces' names, every panel
  and variable on ``pdcs-influxdb-<key>``, links between those boards kept inside the copy, and the
  names of that store's provinces only (a board's value mappings grow with its devices).

Why copies and not one board with a data-source variable: a county board opened on the wrong store shows
empty panels that look like "no data" — with copies the store is fixed by the board, and a link from a
province board reaches its county board by uid (``pdcs-county-${province}`` when each province has a store
of its own, the usual national layout). The boards reading the national summaries are not copied.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from dashboards.build import Built, build_all
from dashboards.common import Names
from dashboards.influxql import DATASOURCE_TYPE, DATASOURCE_UID, NATIONAL_DATASOURCE_UID
from dashboards.names import names_from_inventory
from inventory.models import Inventory
from pdcs.storage.shards import ShardMap


def store_key(codes: frozenset[str]) -> str:
    """``51``, ``51-52``; a long list of provinces is shortened with a digest (uids are at most 40 characters)."""
    key = "-".join(sorted(codes))
    return key if len(key) <= 14 else f"{min(codes)}-{hashlib.sha1(key.encode()).hexdigest()[:8]}"


def datasource_uid(codes: frozenset[str] | None) -> str:
    return DATASOURCE_UID if codes is None else f"{DATASOURCE_UID}-{store_key(codes)}"


def board_uid(uid: str, codes: frozenset[str] | None) -> str:
    """The uid of board ``uid``'s copy on the store holding ``codes`` (the board itself for the default)."""
    return uid if codes is None else f"{uid}-{store_key(codes)}"


def raw_boards(built: list[Built]) -> list[Built]:
    """The boards that read the raw store only (not the national summaries)."""
    return [b for b in built if b.datasources() <= {DATASOURCE_UID}]


def names_for_provinces(inventory: Inventory, codes: frozenset[str]) -> Names:
    """The display names of the provinces ``codes`` only (their regions, facilities and devices)."""
    facilities = {k: f for k, f in inventory.facilities.items() if f.county[:2] in codes}
    sub = inventory.model_copy(
        update={
            "regions": {k: r for k, r in inventory.regions.items() if k[:2] in codes},
            "facilities": facilities,
            "devices": {k: d for k, d in inventory.devices.items() if d.facility in facilities},
        }
    )
    return names_from_inventory(sub)


def _rebind(node: Any, ds_uid: str, links: dict[str, str]) -> Any:
    if isinstance(node, dict):
        out = {k: _rebind(v, ds_uid, links) for k, v in node.items()}
        ds = out.get("datasource")
        if isinstance(ds, dict) and ds.get("uid") == DATASOURCE_UID:
            out["datasource"] = {**ds, "uid": ds_uid}
        return out
    if isinstance(node, list):
        return [_rebind(v, ds_uid, links) for v in node]
    if isinstance(node, str) and "/d/" in node:
        for old, new in links.items():
            node = node.replace(f"/d/{old}/", f"/d/{new}/")
    return node


def render(data: dict[str, Any]) -> str:
    """As :meth:`Built.render` writes a board."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def store_boards(
    shards: ShardMap, names_of: Callable[[frozenset[str]], Names], built: list[Built] | None = None
) -> list[tuple[Path, dict[str, Any]]]:
    """(relative path, board JSON) of the copies for every store but the default; ``names_of(codes)`` gives
    the display names of the provinces ``codes``."""
    out: list[tuple[Path, dict[str, Any]]] = []
    raw_uids = {b.uid for b in raw_boards(built if built is not None else build_all(Names()))}
    for codes, _ in shards.stores():
        if codes is None:
            continue
        names = names_of(codes)
        links = {uid: board_uid(uid, codes) for uid in raw_uids}
        label = "、".join(names.by_value.get(c, c) for c in sorted(codes))
        for b in raw_boards(build_all(names)):
            data = _rebind(b.to_dict(), datasource_uid(codes), links)
            data["uid"], data["title"] = links[b.uid], f"{data['title']}（{label}）"
            out.append((Path(b.folder) / f"{data['uid']}.json", data))
    return out


# A credential's environment variable name → what the data source carries (None: no such field).
Credential = Callable[[str], str | None]


def provisioning_ref(name: str) -> str:
    """Grafana's own reference to its environment, expanded in provisioning files only."""
    return "$__env{" + name + "}"


def credential_names(codes: frozenset[str] | None) -> tuple[str, str]:
    """The read-only user's and password's environment variables of the store holding ``codes`` (None: the
    default store): ``PDCS_INFLUX_READ_USER``/``_PASSWORD``, suffixed ``_<KEY>`` for another store."""
    suffix = "" if codes is None else "_" + store_key(codes).replace("-", "_").upper()
    return f"PDCS_INFLUX_READ_USER{suffix}", f"PDCS_INFLUX_READ_PASSWORD{suffix}"


def datasource(
    name: str,
    uid: str,
    url: str,
    database: str,
    codes: frozenset[str] | None,
    *,
    default: bool,
    credential: Credential = provisioning_ref,
) -> dict[str, Any]:
    """One InfluxDB data source (InfluxQL); user and password as ``credential`` gives them."""
    user, password = (credential(n) for n in credential_names(codes))
    source: dict[str, Any] = {
        "name": name,
        "uid": uid,
        "type": DATASOURCE_TYPE,
        "access": "proxy",
        "url": url,
        "isDefault": default,
        "jsonData": {"dbName": database, "httpMode": "POST", "timeInterval": "60s"},
    }
    if user is not None:
        source["user"] = user
    if password is not None:
        source["secureJsonData"] = {"password": password}
    return source


def store_datasources(
    shards: ShardMap,
    names_of: Callable[[frozenset[str]], Names] = lambda _: Names(),
    credential: Credential = provisioning_ref,
) -> list[dict[str, Any]]:
    """A data source for every store of the map (and its national store)."""
    sources = []
    for codes, db in shards.stores():
        if codes is None:
            sources.append(
                datasource(
                    "pdcs InfluxDB", DATASOURCE_UID, db.url, db.database, None, default=True, credential=credential
                )
            )
        else:
            names = names_of(codes).by_value
            label = "、".join(names.get(c, c) for c in sorted(codes))
            name = f"pdcs InfluxDB {label}"
            sources.append(
                datasource(
                    name, datasource_uid(codes), db.url, db.database, codes, default=False, credential=credential
                )
            )
    national = shards.national()
    if national is not None:
        codes = frozenset({"national"})
        sources.append(
            datasource(
                "pdcs 全国汇总",
                NATIONAL_DATASOURCE_UID,
                national.url,
                national.database,
                codes,
                default=False,
                credential=credential,
            )
        )
    return sources


def datasources(shards: ShardMap, names_of: Callable[[frozenset[str]], Names] = lambda _: Names()) -> dict[str, Any]:
    """Grafana's data-source provisioning for every store of the map (and its national store)."""
    sources = [{**s, "editable": False} for s in store_datasources(shards, names_of)]
    return {"apiVersion": 1, "datasources": sources}


def write_store_files(shards: ShardMap, names_of: Callable[[frozenset[str]], Names], out: Path) -> list[Path]:
    """Write the copies and ``datasources/pdcs.yaml`` under ``out``; returns the files written."""
    written = []
    for rel, data in store_boards(shards, names_of):
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(data), encoding="utf-8")
        written.append(path)
    path = out / "datasources" / "pdcs.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(datasources(shards, names_of), allow_unicode=True, sort_keys=False)
    path.write_text("# written by pdcs grafana build --shards (dashboards/shards.py)\n" + text, encoding="utf-8")
    written.append(path)
    return written
