"""The national summaries store: retention policies, measurements and fields (NATIONAL.md §2).

Field names mirror the daily roll-ups where the idea is the same (``scheduled_s``,
``serving_s``, ``unknown_s``, ``device_*_s`` as in ``facility_daily``).
"""

from __future__ import annotations

# The retention policies (names, durations, shard durations) are pdcs/settings.py's: one definition for the
# shipper's writer, `pdcs influx init --national` and `pdcs influx migrate`.
from pdcs.settings import NATIONAL_RETENTION_POLICIES, ROLLUP_RP, SUMMARY_LONG_RP, SUMMARY_RP

__all__ = ["NATIONAL_RETENTION_POLICIES", "ROLLUP_RP", "SUMMARY_LONG_RP", "SUMMARY_RP"]

NATIONAL_DB = "pdcs_national"

COUNTY_SUMMARY = "county_summary"
PROVINCE_SUMMARY = "province_summary"
FEDERATION_STATUS = "federation_status"

BUCKET_MS = 300_000
HOUR_MS = 3_600_000

# Levels: a state at a time (counts at the bucket's end, rates as the bucket's mean); the hourly
# tier takes their mean over the hour's buckets (rounded for the integer counts).
INT_LEVELS = (
    "devices",
    "devices_up",
    "devices_down",
    "devices_unknown",
    "facilities",
    "facilities_open",
    "facilities_serving",
    "clients",
    "terminals_in_use",
    "checks",
    "checks_failed",
)
FLOAT_LEVELS = ("uplink_in_bps", "uplink_out_bps")
# Seconds in the bucket (scheduled service time, as supervision/availability.py counts it): the hourly
# tier and every total over a period take their sum, so a period's figure equals the raw answer exactly.
SECONDS = (
    "scheduled_s",  # facilities: scheduled service time in their supervised windows
    "serving_s",
    "unknown_s",  # … of it no data (nobody knew); not serving = scheduled − serving − unknown
    "device_scheduled_s",
    "device_up_s",
    "device_unknown_s",
)
FIELDS = INT_LEVELS + FLOAT_LEVELS + SECONDS

# Roll-up measurements copied unchanged to the national store (RP ``rollup``); ``device_daily`` only
# when asked (one row per device and day: at 10^6 devices 365 million rows a year).
ROLLUP_MEASUREMENTS = ("facility_daily", "facility_yearly")
DEVICE_DAILY = "device_daily"
