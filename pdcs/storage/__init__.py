"""Storage: InfluxDB through its v1 HTTP API (the only storage client in pdcs)."""

from pdcs.storage.influx import InfluxDB, InfluxError, InfluxSchemaMissing, InfluxUnavailable, Series

__all__ = ["InfluxDB", "InfluxError", "InfluxSchemaMissing", "InfluxUnavailable", "Series"]
