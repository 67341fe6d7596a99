"""The InfluxDB (InfluxQL) target for grafana-foundation-sdk panels.

The SDK ships no InfluxDB data-query model, so this module adds one: a raw
InfluxQL target (``rawQuery: true``), registered with the SDK runtime under
the data-source type ``influxdb`` so that ``Dashboard.from_json`` reads it back.

Each target also records the columns its panel expects; the builder keeps them
beside the dashboard (they are not part of Grafana's JSON) so the tests can
check every query against a real InfluxDB.
"""

from __future__ import annotations

from typing import Any, Literal, Self

from grafana_foundation_sdk.cog import builder as cogbuilder
from grafana_foundation_sdk.cog import runtime as cogruntime
from grafana_foundation_sdk.cog import variants as cogvariants
from grafana_foundation_sdk.models import dashboard as dm

DATASOURCE_TYPE = "influxdb"
DATASOURCE_UID = "pdcs-influxdb"
DATASOURCE = dm.DataSourceRef(type_val=DATASOURCE_TYPE, uid=DATASOURCE_UID)
# The national summaries store (NATIONAL.md §2): the national and province boards read it.
NATIONAL_DATASOURCE_UID = "pdcs-national"
NATIONAL_DATASOURCE = dm.DataSourceRef(type_val=DATASOURCE_TYPE, uid=NATIONAL_DATASOURCE_UID)
DATASOURCE_UIDS = (DATASOURCE_UID, NATIONAL_DATASOURCE_UID)

ResultFormat = Literal["time_series", "table"]


class InfluxQLQuery(cogvariants.Dataquery):
    def __init__(
        self,
        ref_id: str = "A",
        query: str = "",
        result_format: ResultFormat = "time_series",
        alias: str | None = None,
        hide: bool | None = None,
        columns: tuple[str, ...] = (),
        group_by: tuple[str, ...] = (),
        datasource_uid: str = DATASOURCE_UID,
    ) -> None:
        self.ref_id = ref_id
        self.datasource_uid = datasource_uid
        self.query = query
        self.result_format = result_format
        self.alias = alias
        self.hide = hide
        # Not serialised: what the panel reads (value columns, and the tags it groups by).
        self.columns = columns
        self.group_by = group_by

    def to_json(self) -> dict[str, object]:
        payload: dict[str, object] = {
            "refId": self.ref_id,
            "datasource": {"type": DATASOURCE_TYPE, "uid": self.datasource_uid},
            "rawQuery": True,
            "query": self.query,
            "resultFormat": self.result_format,
        }
        if self.alias is not None:
            payload["alias"] = self.alias
        if self.hide is not None:
            payload["hide"] = self.hide
        return payload

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(
            ref_id=data.get("refId", "A"),
            query=data.get("query", ""),
            result_format=data.get("resultFormat", "time_series"),
            alias=data.get("alias"),
            hide=data.get("hide"),
            datasource_uid=(data.get("datasource") or {}).get("uid", DATASOURCE_UID),
        )


class InfluxQL(cogbuilder.Builder[InfluxQLQuery]):
    """Builder: ``InfluxQL("SELECT ...", columns=("up",)).ref_id("B").table()``."""

    def __init__(
        self,
        query: str,
        *,
        columns: tuple[str, ...],
        group_by: tuple[str, ...] = (),
        datasource_uid: str = DATASOURCE_UID,
    ) -> None:
        self._internal = InfluxQLQuery(query=query, columns=columns, group_by=group_by, datasource_uid=datasource_uid)

    def build(self) -> InfluxQLQuery:
        return self._internal

    def ref_id(self, ref_id: str) -> Self:
        self._internal.ref_id = ref_id
        return self

    def table(self) -> Self:
        self._internal.result_format = "table"
        return self

    def alias(self, alias: str) -> Self:
        self._internal.alias = alias
        return self


def register() -> None:
    """Teach the SDK runtime to decode ``influxdb`` targets (idempotent)."""
    cogruntime.register_dataquery_variant(
        cogruntime.DataqueryConfig(identifier=DATASOURCE_TYPE, from_json_hook=InfluxQLQuery.from_json)
    )
