"""Rule files: the defaults load; every problem is reported as file:line: field: message."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from alert_rules.load import RulesError, load_rules
from alert_rules.model import group_by_tags, parse_duration
from tests.support.cli import pdcs_argv, pdcs_env

BAD = """\
rules:
  - name: ok_rule
    description: {zh: 正常, en: fine}
    query: SELECT last("up") AS value FROM "device_up" WHERE time > now() - 5m GROUP BY "device"
    condition: value == 0
    for: 5m
    severity: major
  - name: Bad-Name
    description: {zh: 坏}
    query: SELECT last("up") FROM "device_up" GROUP BY "device"
    condition: value === 0
    for: soon
    severity: disaster
    resource: "{facility}"
  - name: no_group
    description: {zh: 没有分组, en: no group by}
    query: SELECT last("up") AS value FROM "device_up" WHERE time > now() - 5m
    condition: __import__('os').system('true')
    for: 1m
    severity: minor
    suppresses: [{rule: nowhere}]
"""


def test_default_rules_load_and_cover_the_issue() -> None:
    names = {r.name for r in load_rules()}
    assert {
        "device_down",
        "facility_down",
        "uplink_down",
        "link_saturated",
        "ap_no_clients_day",
        "security_critical_failed",
        "agent_silent",
        "collector_silent",
        "collector_spool_growing",
        "disk_nearly_full",
    } <= names


def test_every_problem_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    f = tmp_path / "bad.yaml"
    f.write_text(BAD, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path)
    problems = err.value.problems
    text = "\n".join(problems)
    # second rule: name, description.en, query (time bound), condition, for, severity, all on their own lines
    assert f"{f}:8: Bad-Name.name:" in text
    assert f"{f}:9: Bad-Name.description.en:" in text
    assert f"{f}:10: Bad-Name.query:" in text and "bound time" in text
    assert f"{f}:11: Bad-Name.condition:" in text
    assert f"{f}:12: Bad-Name.for:" in text
    assert f"{f}:13: Bad-Name.severity:" in text
    # third rule: a forbidden call in the condition, no GROUP BY
    assert f"{f}:18: no_group.condition: Call is not allowed" in text
    assert any(p.startswith(f"{f}:17: no_group.query: must GROUP BY") for p in problems), problems
    assert all(p.startswith(f"{f}:") for p in problems)


def test_unknown_suppressed_rule_and_duplicates(tmp_path: Path) -> None:
    good = BAD.split("  - name: Bad-Name")[0]
    (tmp_path / "a.yaml").write_text(good + "    suppresses: [{rule: nowhere, by: device}]\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text(good, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path)
    text = "\n".join(err.value.problems)
    assert f"{tmp_path / 'a.yaml'}:8: ok_rule.suppresses.0.rule: no rule named 'nowhere'" in text
    assert f"{tmp_path / 'b.yaml'}:2: ok_rule.name: duplicate rule name" in text


def test_yaml_syntax_error_has_a_line(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("rules:\n  - name: a\n    query: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path)
    assert err.value.problems[0].startswith(f"{tmp_path / 'x.yaml'}:")
    assert ": yaml: " in err.value.problems[0]


def test_helpers() -> None:
    assert parse_duration("15m") == 900
    assert parse_duration("1d") == 86400
    with pytest.raises(ValueError):
        parse_duration("soon")
    q = 'SELECT max(v) FROM (SELECT last(up) AS v FROM x WHERE time > now() - 1m GROUP BY "a", "b") GROUP BY "a"'
    assert group_by_tags(q) == ["a"]
    assert group_by_tags('SELECT x FROM y WHERE time > now() - 1h GROUP BY time(1h), "device" fill(none)') == ["device"]


def test_cli_check_exit_codes(tmp_path: Path) -> None:
    ok = subprocess.run(pdcs_argv("rules", "check"), env=pdcs_env(), capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert "device_down" in ok.stdout
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    bad = subprocess.run(
        pdcs_argv("rules", "check", str(tmp_path)), env=pdcs_env(), capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 1
    assert f"{tmp_path / 'bad.yaml'}:12: Bad-Name.for:" in bad.stderr


DERIVED = """\
rules:
  - name: src
    description: {zh: 源, en: source}
    query: SELECT last("up") AS value FROM "device_up" WHERE time > now() - 5m GROUP BY "ifname"
    condition: value == 0
    severity: major
  - name: rollup
    description: {zh: 汇总, en: rollup}
    derive: {rule: src, by: facility}
    condition: value == 0
    severity: major
    resource: "{facility}"
  - name: rollup2
    description: {zh: 汇总, en: rollup}
    derive: {rule: missing, by: county}
    severity: major
    resource: "{device}"
"""


def test_derived_rule_problems(tmp_path: Path) -> None:
    f = tmp_path / "d.yaml"
    f.write_text(DERIVED, encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path)
    text = "\n".join(err.value.problems)
    assert f"{f}:10: rollup.condition: a derived rule has none" in text
    assert "rollup2.resource: uses ['device'], not among the rule's tags ['province', 'city', 'county']" in text
