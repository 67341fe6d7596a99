"""InfluxQL over the national summaries store (NATIONAL.md §2), and the choice of its tier by the time range.

The national and province boards read ``province_summary`` / ``county_summary`` on the data source
``pdcs-national``: the 5-minute tier (RP ``summary``) for ranges up to 7 days, the hourly tier
(RP ``summary_long``) beyond.  InfluxQL names the retention policy in the query text and Grafana has
no setting that picks one by the range, so each figure is two targets, one per tier, each with a
condition on the range width built from Grafana's global ``$__from`` / ``$__to`` (epoch ms in every
query, https://grafana.com/docs/grafana/latest/visualizations/dashboards/variables/global-variables/):
``${__to} - ${__from} <= 604800000`` on the 5-minute target, ``> 604800000`` on the hourly one.
InfluxDB folds a condition between two numbers to true or false before reading anything
(measured: the false target answers in under 10 ms whatever the data), so only one tier is read
and the panel shows it.  A hidden variable could not do this: a query variable lists values from
the database (tag values, a SELECT's first column), and nothing there depends on the range.

Each ``Figure`` below is a query builder taking the tier's policy and condition; :func:`tiered`
turns it into the two targets.  The summaries' bucket is 5 minutes (hourly beyond 7 days), so the
panels that group by time set ``interval`` (min interval 5m) and ``maxDataPoints`` 200: Grafana's
``$__interval`` is then 5 min at 24 h and ≥ 1 h past 7 days (``dashboards.templating``) — never a
bucket narrower than the tier, which would draw a gap between every two points.

``federation_status`` (the end of the last bucket each province shipped) says which provinces are
late: more than ``late_after_s`` after its last complete bucket — ``PDCS_FEDERATION_LATE_AFTER_S`` when the
boards are built (``pdcs grafana build``), the threshold ``federation.read.federation_status`` applies.

Unlike ``federation.read.tier`` the boards cannot also check that a short range lies within the 5-minute
tier's 40 days (InfluxQL has no "now" to compare a number with): a 7-day range ending more than 33 days ago
shows 无数据 instead of the hourly tier.
"""

from __future__ import annotations

from collections.abc import Callable

from dashboards.influxql import NATIONAL_DATASOURCE_UID, InfluxQL
from dashboards.queries import tags
from federation.read import FIVE_MINUTE_TIER_MAX_MS
from federation.schema import COUNTY_SUMMARY, FEDERATION_STATUS, PROVINCE_SUMMARY, SUMMARY_LONG_RP, SUMMARY_RP

__all__ = ["COUNTY_SUMMARY", "FEDERATION_STATUS", "PROVINCE_SUMMARY", "SUMMARY_LONG_RP", "SUMMARY_RP"]

TIER_LIMIT_MS = FIVE_MINUTE_TIER_MAX_MS  # ranges up to 7 days read the 5-minute tier (as federation.read.tier)
RANGE_MS = "${__to} - ${__from}"
# (retention policy, the range condition that selects it, refId suffix)
TIERS = (
    (SUMMARY_RP, f"{RANGE_MS} <= {TIER_LIMIT_MS}", ""),
    (SUMMARY_LONG_RP, f"{RANGE_MS} > {TIER_LIMIT_MS}", "_1h"),
)
MIN_INTERVAL = "5m"  # a summary bucket
MAX_DATA_POINTS = 200  # so that $__interval ≥ 1 h for every range past 7 days

Figure = Callable[[str, str], str]  # (retention policy, tier condition) → InfluxQL


def tiered(
    figure: Figure,
    *,
    columns: tuple[str, ...],
    group_by: tuple[str, ...] = (),
    ref_id: str = "A",
    table: bool = False,
    alias: str | None = None,
) -> list[InfluxQL]:
    """The two targets of one figure on the national data source, one per tier (exactly one answers)."""
    out = []
    for rp, condition, suffix in TIERS:
        t = InfluxQL(figure(rp, condition), columns=columns, group_by=group_by, datasource_uid=NATIONAL_DATASOURCE_UID)
        t = t.ref_id(ref_id + suffix)
        if table:
            t = t.table()
        if alias is not None:
            t = t.alias(alias)
        out.append(t)
    return out


def national(query: str, *, columns: tuple[str, ...], group_by: tuple[str, ...] = ()) -> InfluxQL:
    """One target on the national data source (no tier: ``federation_status``)."""
    return InfluxQL(query, columns=columns, group_by=group_by, datasource_uid=NATIONAL_DATASOURCE_UID)


def _from(rp: str, measurement: str) -> str:
    return f'"{rp}"."{measurement}"'


def latest_sums(measurement: str, key: str, where: str, fields: tuple[str, ...], *by: str) -> Figure:
    """Each field's latest value per ``key`` (province or county) in the range, summed (per ``by`` tags)."""
    inner = ", ".join(f'last("{f}") AS "{f}"' for f in fields)
    outer = ", ".join(f'sum("{f}") AS "{f}"' for f in fields)
    group = f" GROUP BY {tags(*by)}" if by else ""
    return lambda rp, tier: (
        f"SELECT {outer} FROM (SELECT {inner} FROM {_from(rp, measurement)} WHERE $timeFilter AND {tier} "
        f"AND {where} GROUP BY {tags(*by, key)}){group}"
    )


def availability(measurement: str, where: str, *by: str, per_bucket: bool = False) -> Figure:
    """Device availability in scheduled service time, in %: Σ ``device_up_s`` ÷ Σ (``device_scheduled_s`` −
    ``device_unknown_s``) over the buckets in the range — the API's ``device_weighted.availability`` of the
    same period (``supervision.availability``), so board and answer agree.

    Time with no data counts in neither; a row where nothing is known (no service scheduled: at night, or
    no data) is left out — InfluxQL divides 0 by 0 as 0, which would read as an outage.
    ``per_bucket``: per ``$__interval``.
    """
    inner_by = tags(*by)
    if per_bucket:
        inner_by = f"time($__interval), {inner_by}" if by else "time($__interval)"
    outer = f" GROUP BY {tags(*by)}" if by else ""
    return lambda rp, tier: (
        'SELECT "up" / "known" * 100 AS "availability" FROM '
        '(SELECT sum("device_up_s") AS "up", sum("device_scheduled_s") - sum("device_unknown_s") AS "known" '
        f"FROM {_from(rp, measurement)} WHERE $timeFilter AND {tier} AND {where} GROUP BY {inner_by}) "
        f'WHERE "known" > 0{outer}'
    )


def pass_rate(measurement: str, key: str, where: str, *by: str) -> Figure:
    """Security checks passed in % of the latest results (last bucket of each ``key`` in the range)."""
    return lambda rp, tier: (
        'SELECT ("checks" - "checks_failed") / "checks" * 100 AS "pass_rate" FROM '
        '(SELECT last("checks") AS "checks", last("checks_failed") AS "checks_failed" '
        f"FROM {_from(rp, measurement)} WHERE $timeFilter AND {tier} AND {where} GROUP BY {tags(*by, key)}) "
        f'WHERE "checks" > 0 GROUP BY {tags(*by)}'
    )


# The bucket of each tier: a sum over the keys per bucket is exact without a subquery (one row per key and bucket).
TIER_BUCKET = {SUMMARY_RP: "5m", SUMMARY_LONG_RP: "1h"}


def bucket_sums(measurement: str, key: str, where: str, fields: dict[str, str]) -> Figure:
    """Fields (name → column) summed over the ``key`` rows of each of the tier's own buckets.

    Each ``key`` (province, county) has one row per bucket, so ``sum`` per bucket is the total without the
    subquery a ``$__interval`` coarser than the bucket would need (mean per key, then sum): that subquery was
    the slowest query of both boards (0.73 s of the province board's 1.05 s at 10^6 devices, quiet machine;
    0.16–0.31 s without it, bench/national.py, docs/benchmarks.md).  The panel draws one point per bucket:
    2,016 for 7 days on the 5-minute tier, 720 for 30 days on the hourly one.
    """
    outer = ", ".join(f'sum("{f}") AS "{c}"' for f, c in fields.items())
    return lambda rp, tier: (
        f"SELECT {outer} FROM {_from(rp, measurement)} WHERE $timeFilter AND {tier} AND {where} "
        f"GROUP BY time({TIER_BUCKET[rp]})"
    )


def shipping_status(where: str) -> str:
    """Per province: the end of its last shipped bucket (``through``, epoch ms) and its lag in minutes.

    Over all kept history, not the board's range: a province silent for longer than the range is the
    latest of all and must not drop off the list.  ``max``, not ``last``: a status re-sent from the spool
    after a newer one must not move ``through`` back (as ``federation.read.federation_status``).
    """
    return (
        'SELECT "through_ms", "lag_ms" / 60000 AS "lag_min" FROM '
        f'(SELECT max("through_ms") AS "through_ms", ${{__to}} - max("through_ms") AS "lag_ms" '
        f'FROM {_from(SUMMARY_RP, FEDERATION_STATUS)} WHERE {where} GROUP BY "province") GROUP BY "province"'
    )


def late_provinces(where: str, late_after_s: float) -> str:
    """How many provinces are late: their last shipped bucket ended more than ``late_after_s`` before ``$__to``
    (strictly more, as ``federation.read.federation_status``)."""
    return (
        'SELECT count("lag_ms") AS "late" FROM '
        f'(SELECT ${{__to}} - max("through_ms") AS "lag_ms" FROM {_from(SUMMARY_RP, FEDERATION_STATUS)} WHERE {where} '
        f'GROUP BY "province") WHERE "lag_ms" > {round(late_after_s * 1000)}'
    )
