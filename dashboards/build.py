"""Build every dashboard to Grafana JSON, and check that JSON is a sound dashboard.

``BOARDS`` lists the dashboard modules; each lands in a folder of
``dashboards/json/<folder>/<uid>.json``, which the provisioning file
(``provisioning/dashboards/pdcs.yaml``) maps to a Grafana folder with a
Chinese title.  The committed JSON is exactly what ``render`` produces (a test
compares them), so edit the Python, then run ``pdcs grafana build``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from grafana_foundation_sdk.builders import dashboard as db
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dm

from dashboards import influxql
from dashboards.boards import collectors, county, device, facility, national, province, raw_regions, security, usage
from dashboards.common import Names
from dashboards.names import example_names
from pdcs.settings import DEFAULT_FEDERATION_LATE_AFTER_S

JSON_DIR = Path(__file__).resolve().parent / "json"
BOARDS: tuple[ModuleType, ...] = (national, province, county, facility, device, security, collectors, usage)
SUMMARY_BOARDS = (national, province)  # they read the national summaries and mark late provinces
# Folder directory → Grafana folder title (provisioning/dashboards/pdcs.yaml names the same).
FOLDERS = {"regions": "区域监管", "devices": "设备", "security": "安全合规", "platform": "平台运维"}


@dataclass(frozen=True)
class Built:
    uid: str
    folder: str
    model: dm.Dashboard

    @property
    def path(self) -> Path:
        return Path(self.folder) / f"{self.uid}.json"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(json.dumps(self.model, cls=JSONEncoder))
        return data

    def render(self) -> str:
        return json.dumps(self.model, cls=JSONEncoder, ensure_ascii=False, indent=2, sort_keys=True) + "\n"

    def datasources(self) -> set[str]:
        """The uids of the data sources its variables and panels read."""
        uids = {t.datasource_uid for _, t in self.targets()}
        for v in self.model.templating.list_val if self.model.templating and self.model.templating.list_val else []:
            if v.datasource and v.datasource.uid:
                uids.add(v.datasource.uid)
        return uids

    def targets(self) -> Iterator[tuple[dm.Panel, influxql.InfluxQLQuery]]:
        for panel in self.model.panels or []:
            if isinstance(panel, dm.Panel):
                for t in panel.targets or []:
                    assert isinstance(t, influxql.InfluxQLQuery)
                    yield panel, t


def build_all(names: Names | None = None, *, late_after_s: float = DEFAULT_FEDERATION_LATE_AFTER_S) -> list[Built]:
    """Every board; ``late_after_s``: when the boards on the national summaries count a province as late (the
    commands pass ``PDCS_FEDERATION_LATE_AFTER_S``; the committed JSON has the default)."""
    names = names if names is not None else example_names()
    return [
        finish(
            module.UID,
            module.FOLDER,
            module.build(names, late_after_s) if module in SUMMARY_BOARDS else module.build(names),
        )
        for module in BOARDS
    ]


def build_raw_peers(names: Names | None = None) -> list[Built]:
    """全国总览 and 省级看板 as they read raw points before the national summaries (not provisioned; the
    benchmarks' peer figure)."""
    names = names if names is not None else example_names()
    return [
        finish(raw_regions.NATIONAL_UID, raw_regions.FOLDER, raw_regions.national(names)),
        finish(raw_regions.PROVINCE_UID, raw_regions.FOLDER, raw_regions.province(names)),
    ]


def finish(uid: str, folder: str, builder: db.Dashboard) -> Built:
    influxql.register()
    model = builder.build()
    # The SDK lays panels out but leaves ids to us: number them in order.
    for i, panel in enumerate(model.panels or [], start=1):
        panel.id_val = i
        if isinstance(panel, dm.Panel):
            _merge_overrides(panel)
    # The SDK gives every variable the same placeholder id; Grafana keys variables by name.
    for var in model.templating.list_val if model.templating and model.templating.list_val else []:
        var.id_val = var.name
    model.version = 1
    return Built(uid, folder, model)


def _merge_overrides(panel: dm.Panel) -> None:
    """One override per field: the helpers add properties one call at a time."""
    if panel.field_config is None or not panel.field_config.overrides:
        return
    merged: dict[str, dm.DashboardFieldConfigSourceOverrides] = {}
    for o in panel.field_config.overrides:
        key = json.dumps(o.matcher, cls=JSONEncoder, sort_keys=True)
        if key in merged:
            merged[key].properties.extend(o.properties)
        else:
            merged[key] = o
    panel.field_config.overrides = list(merged.values())


def write(built: list[Built], out_dir: Path = JSON_DIR) -> list[Path]:
    written = []
    for b in built:
        path = out_dir / b.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(b.render(), encoding="utf-8")
        written.append(path)
    return written


# -- structural checks --------------------------------------------------------------------------
_VAR_REF = re.compile(r"\$(\w+)|\[\[(\w+?)(?::\w+)?\]\]|\$\{(\w+)(?:\.[^:^}]+)?(?::[^}]+)?\}")
BUILTIN_VARS = {
    "timeFilter", "__interval", "__interval_ms", "interval", "__from", "__to", "__range", "__range_s",
    "__range_ms", "col", "__timeFilter", "__all", "__field", "__series", "__value", "__data", "__org", "__user",
    "__dashboard", "__name",
}  # fmt: skip
_PANEL_REQUIRED = ("id", "type", "title", "gridPos", "datasource", "targets")


def check(data: dict[str, Any]) -> list[str]:
    """Problems that would make Grafana refuse or mis-show ``data`` (empty when sound).

    Checks what the dashboard schema requires and what Grafana relies on:
    uid/title/schemaVersion, unique panel ids, grid positions inside the
    24-column grid without overlap, every target on the panel's data source
    (one of the provisioned ones: raw or national summaries) with a refId
    unique in its panel, and every ``$variable`` defined.
    """
    problems: list[str] = []
    for key in ("uid", "title", "schemaVersion", "panels", "templating", "time"):
        if key not in data:
            problems.append(f"missing {key}")
    uid = data.get("uid", "")
    if not (isinstance(uid, str) and 1 <= len(uid) <= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", uid)):
        problems.append(f"uid {uid!r} is not 1-40 characters of [A-Za-z0-9_-]")
    if not isinstance(data.get("schemaVersion"), int) or data["schemaVersion"] < 36:
        problems.append("schemaVersion must be an integer ≥ 36")
    if not isinstance(data.get("annotations", {}).get("list"), list):
        problems.append("annotations.list must be a list (Grafana adds its built-in annotation to it)")
    variables = {v["name"] for v in data.get("templating", {}).get("list", [])}
    ids: set[int] = set()
    cells: set[tuple[int, int]] = set()
    for v in data.get("templating", {}).get("list", []):
        ds = v.get("datasource") or {}
        if v.get("type") == "query" and ds.get("uid") not in influxql.DATASOURCE_UIDS:
            problems.append(f"variable {v['name']}: data source {ds!r} is not one of {influxql.DATASOURCE_UIDS}")
        for name in _refs(str(v.get("query", ""))):
            if name not in variables:
                problems.append(f"variable {v['name']}: uses ${name}, which is not defined")
    for p in data.get("panels", []):
        title = p.get("title", "?")
        for key in _PANEL_REQUIRED:
            if key not in p:
                problems.append(f"panel {title!r}: missing {key}")
        if not isinstance(p.get("options"), dict):
            problems.append(f"panel {title!r}: options must be an object")
        pid = p.get("id")
        if pid in ids:
            problems.append(f"panel {title!r}: id {pid} is used twice")
        ids.add(pid)
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in ("x", "y", "w", "h")):
            problems.append(f"panel {title!r}: gridPos needs integer x, y, w, h")
            continue
        if g["x"] < 0 or g["y"] < 0 or g["w"] < 1 or g["h"] < 1 or g["x"] + g["w"] > 24:
            problems.append(f"panel {title!r}: gridPos {g} is outside the 24-column grid")
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                if (x, y) in cells:
                    problems.append(f"panel {title!r}: overlaps another panel at ({x}, {y})")
                    break
                cells.add((x, y))
            else:
                continue
            break
        panel_ds = (p.get("datasource") or {}).get("uid")
        if panel_ds not in influxql.DATASOURCE_UIDS:
            problems.append(f"panel {title!r}: data source {panel_ds!r} is not one of {influxql.DATASOURCE_UIDS}")
        refs = [t.get("refId") for t in p.get("targets", [])]
        if len(set(refs)) != len(refs) or not refs:
            problems.append(f"panel {title!r}: targets need unique refIds (got {refs})")
        for t in p.get("targets", []):
            # A panel reads one data source: its targets are on the panel's.
            if (t.get("datasource") or {}).get("uid") != panel_ds or not t.get("rawQuery"):
                problems.append(f"panel {title!r} target {t.get('refId')}: not a raw InfluxQL query on {panel_ds}")
            for name in _refs(str(t.get("query", ""))) | _refs(str(t.get("alias", ""))):
                if name not in variables and not name.startswith("tag_"):
                    problems.append(f"panel {title!r} target {t.get('refId')}: uses ${name}, which is not defined")
    return problems


def _refs(text: str) -> set[str]:
    found = {next(g for g in m.groups() if g) for m in _VAR_REF.finditer(text)}
    return {n for n in found if n not in BUILTIN_VARS}
