"""InfluxQL text shared by the boards (raw strings, as Grafana sends them before substitution)."""

from __future__ import annotations


def tags(*names: str) -> str:
    """``"a", "b"`` — a GROUP BY list of tag keys."""
    return ", ".join(f'"{n}"' for n in names)


def latest_up(where: str, *by: str) -> str:
    """Each device's last ``up`` in the range (the subquery the device counters read)."""
    return f'SELECT last("up") AS "up" FROM "device_up" WHERE $timeFilter AND {where} GROUP BY {tags(*by, "device")}'


def latest_state(where: str, *by: str, field: str = "state") -> str:
    """Each device's last ``inventory_device.state`` (1 up, 0 down while its facility is open, 2 down while
    closed) or ``down_open`` (1 when state is 0) in the range (collectors/inventory_state.py)."""
    return (
        f'SELECT last("{field}") AS "{field}" FROM "inventory_device" WHERE $timeFilter AND {where} '
        f"GROUP BY {tags(*by, 'device')}"
    )


def expected_devices(where: str, *by: str) -> str:
    """Each device the inventory expects (``inventory_device``, written by the collector every cycle)."""
    return (
        f'SELECT last("expected") AS "expected" FROM "inventory_device" WHERE $timeFilter AND {where} '
        f"GROUP BY {tags(*by, 'device')}"
    )


def open_state(where: str, *by: str) -> str:
    """The facility's scheduled state per time bucket as 4 (开放) / 2 (闭馆): apart from ``up``'s 0/1, so one
    state timeline can show both with :data:`dashboards.common.OPEN_CLOSED`."""
    return (
        f'SELECT 2 * max("open") + 2 AS "open" FROM "inventory_device" WHERE $timeFilter AND {where} '
        f"GROUP BY time($__interval), {tags(*by)} fill(previous)"
    )


def latest_check(where: str, *by: str) -> str:
    """Each device's last result of each check in the range."""
    return (
        f'SELECT last("passed") AS "passed" FROM "security_check" WHERE $timeFilter AND {where} '
        f"GROUP BY {tags(*by, 'device', 'check')}"
    )


def uplink_sum(where: str, *by: str) -> str:
    """Uplink in/out bps summed over devices per time bucket (and per ``by`` tags)."""
    inner_by = tags(*by, "device", "ifname")
    outer_by = ", ".join(["time($__interval)", *(f'"{b}"' for b in by)])
    return (
        'SELECT sum("in_bps") AS "in_bps", sum("out_bps") AS "out_bps" FROM '
        '(SELECT mean("in_bps") AS "in_bps", mean("out_bps") AS "out_bps" FROM "interface" '
        f"WHERE $timeFilter AND \"uplink\" = '1' AND {where} GROUP BY time($__interval), {inner_by}) "
        f"WHERE $timeFilter GROUP BY {outer_by}"
    )


def clients_sum(where: str, *by: str) -> str:
    """Wireless clients summed over every (device, ap, radio, ssid) series per time bucket.

    Each AP must be polled once (directly or through its controller), or its
    clients count twice.
    """
    inner_by = tags(*by, "device", "ap", "radio", "ssid")
    outer_by = ", ".join(["time($__interval)", *(f'"{b}"' for b in by)])
    return (
        'SELECT sum("clients") AS "clients" FROM '
        f'(SELECT mean("clients") AS "clients" FROM "wireless" WHERE $timeFilter AND {where} '
        f"GROUP BY time($__interval), {inner_by}) "
        f"WHERE $timeFilter GROUP BY {outer_by}"
    )


def failing_checks(where: str, *by: str) -> str:
    """The checks whose last result failed, with evidence, one row per device and check."""
    keys = tags(*by, "device", "check", "mlps_item", "severity")
    return (
        'SELECT "passed", "detail" FROM '
        f'(SELECT last("passed") AS "passed", last("detail") AS "detail" FROM "security_check" '
        f"WHERE $timeFilter AND {where} GROUP BY {keys}) "
        f'WHERE "passed" = 0 GROUP BY {keys}'
    )
