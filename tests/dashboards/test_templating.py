"""Grafana's variable substitution for InfluxQL, case by case (pure logic)."""

from __future__ import annotations

import pytest

from dashboards.templating import TimeRange, Variable, calculate_interval, escape_regex, interpolate

NOW = 1_800_000_000_000
WEEK = TimeRange("now-7d", "now", NOW)


def single(name: str, value: str) -> Variable:
    return Variable(name, (value,))


def test_plain_forms_of_a_single_value_are_not_escaped() -> None:
    v = {"county": single("county", "510121")}
    q = "a=$county b=${county} c=[[county]]"
    assert interpolate(q, v, WEEK) == "a=510121 b=510121 c=510121"


def test_multi_values_are_regex_escaped_and_joined() -> None:
    v = {"device": Variable("device", ("sw.01", "ap/2"), multi=True, include_all=True)}
    assert interpolate('"device" =~ /^$device$/', v, WEEK) == r'"device" =~ /^(sw\.01|ap\/2)$/'


def test_one_value_of_a_multi_variable_is_escaped_without_parentheses() -> None:
    v = {"device": Variable("device", ("jt-lib.sw01",), multi=True)}
    assert interpolate("/^$device$/", v, WEEK) == r"/^jt-lib\.sw01$/"


def test_all_uses_the_custom_all_value_unescaped() -> None:
    v = {"facility": Variable("facility", (), multi=True, include_all=True, all_value=".*", all=True, options=("a",))}
    assert interpolate("/^$facility$/", v, WEEK) == "/^.*$/"


def test_all_without_custom_value_lists_every_option() -> None:
    v = {"f": Variable("f", (), multi=True, include_all=True, all=True, options=("a", "b+c"))}
    assert interpolate("/^$f$/", v, WEEK) == r"/^(a|b\+c)$/"


def test_explicit_formats() -> None:
    v = {"x": Variable("x", ("a", "b"), multi=True)}
    assert interpolate("${x:csv}|${x:pipe}|${x:singlequote}|[[x:regex]]", v, WEEK) == "a,b|a|b|'a','b'|(a|b)"
    with pytest.raises(ValueError, match="unknown variable format"):
        interpolate("${x:nonsense}", v, WEEK)


def test_time_filter_relative_and_absolute() -> None:
    assert interpolate("WHERE $timeFilter", {}, WEEK) == "WHERE time >= now() - 7d"
    absolute = TimeRange(NOW - 3_600_000, NOW, NOW)
    assert interpolate("$timeFilter", {}, absolute) == f"time >= {NOW - 3_600_000}ms and time <= {NOW}ms"
    assert interpolate("$__timeFilter", {}, TimeRange("now-6h", "now-1h", NOW)) == (
        "time >= now() - 6h and time <= now() - 1h"
    )


def test_interval_follows_grafanas_rounding() -> None:
    # A week over 1000 points is 604.8 s, which Grafana rounds to 10 minutes.
    assert calculate_interval(WEEK) == 600_000
    assert interpolate("GROUP BY time($__interval) -- $__interval_ms", {}, WEEK) == "GROUP BY time(10m) -- 600000"
    day = TimeRange("now-24h", "now", NOW)
    assert interpolate("$__interval", {}, day) == "1m"
    # The data source's minimum interval (60 s) wins over a finer bucket.
    hour = TimeRange("now-1h", "now", NOW)
    assert interpolate("$__interval", {}, hour) == "5s"
    assert interpolate("$__interval", {}, hour, min_interval_ms=60_000) == "1m"


def test_range_builtins() -> None:
    tr = TimeRange(NOW - 86_400_000, NOW, NOW)
    assert interpolate("$__from $__to $__range_s $__range", {}, tr) == f"{NOW - 86_400_000} {NOW} 86400 1d"


def test_unknown_variable_is_an_error_not_an_empty_string() -> None:
    with pytest.raises(KeyError, match="cuonty"):
        interpolate("/^$cuonty$/", {"county": single("county", "1")}, WEEK)


def test_escape_regex_covers_influxql_delimiter() -> None:
    assert escape_regex("a/b.c(d)") == r"a\/b\.c\(d\)"
