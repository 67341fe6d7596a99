"""One conformance suite over every network dialect, fed recorded configurations.

Huawei VRP and H3C Comware are tested here only (no simulator speaks them);
Cisco IOS also runs live against fake-switches in test_live_ios.py; its two
configurations are the simulator's seeds (devstack/ios_configs/).
"""

from __future__ import annotations

import json
import re

import pytest

from collectors.ssh_audit.audit import RuleResult, judge
from collectors.ssh_audit.checks import ParsedConfig, evaluate, redact
from collectors.ssh_audit.dialects import DRIVERS, resolve_dialect
from collectors.ssh_audit.rules import Condition, load_rules, rules_for
from devstack.fake_ios import ios_seed

from .conftest import DATA

CASES = [("cisco_ios", "ios"), ("huawei_vrp", "huawei"), ("h3c_comware", "h3c"), ("ruijie_rgos", "ruijie")]
# The inventory's uplink_interface of each recorded device (the boundary of GB/T 22239 8.1.3.1).
UPLINK = {"ios": "Vlan100", "huawei": "GigabitEthernet0/0/1", "h3c": "GigabitEthernet1/0/24",
          "ruijie": "GigabitEthernet 0/1"}  # fmt: skip
UPLINK_RULES = {"cisco_ios": "ios-uplink-acl", "huawei_vrp": "vrp-uplink-acl", "h3c_comware": "comware-uplink-acl",
                "ruijie_rgos": "rgos-uplink-acl"}  # fmt: skip


def run(dialect: str, stem: str, case: str, uplink: str | None = "") -> dict[str, RuleResult]:
    driver = DRIVERS[dialect]
    raw = ios_seed(case) if stem == "ios" else (DATA / f"{stem}_{case}.txt").read_text(encoding="utf-8")
    text = driver.clean(raw)
    facts = {"uplink_interface": UPLINK[stem] if uplink == "" else uplink}
    return {r.rule.id: r for r in judge(driver, {"config": text}, load_rules(), facts)}


@pytest.mark.parametrize(("dialect", "stem"), CASES)
def test_compliant_configuration_passes_every_rule(dialect: str, stem: str) -> None:
    results = run(dialect, stem, "compliant")
    assert len(results) == len(rules_for(load_rules(), dialect))
    failed = {k: r.notes for k, r in results.items() if r.status != "pass"}
    assert failed == {}


@pytest.mark.parametrize(("dialect", "stem"), CASES)
def test_noncompliant_configuration_fails_every_rule(dialect: str, stem: str) -> None:
    results = run(dialect, stem, "noncompliant")
    passed = [k for k, r in results.items() if r.status != "fail"]
    assert passed == []


def test_evidence_names_the_offending_lines() -> None:
    ios = run("cisco_ios", "ios", "noncompliant")
    assert "line vty 0 4 > transport input telnet ssh" in ios["ios-mgmt-ssh-only"].evidence
    assert "line vty 0 4 > exec-timeout 0 0" in ios["ios-exec-timeout"].evidence
    assert "snmp-server community public RO" in ios["ios-snmp-no-default-community"].evidence
    vrp = run("huawei_vrp", "huawei", "noncompliant")
    assert "user-interface vty 0 4 > protocol inbound all" in vrp["vrp-mgmt-ssh-only"].evidence
    h3c = run("h3c_comware", "h3c", "compliant")
    # Comware's global lines are indented between "#" separators; they must be read as global.
    assert h3c["comware-ntp"].evidence == ("ntp-service unicast-server 10.20.0.1",)
    assert h3c["comware-vty-acl"].evidence == ("line vty 0 63 > acl 2000 inbound",)


@pytest.mark.parametrize(("dialect", "stem"), CASES)
def test_secrets_of_the_device_never_appear_in_evidence(dialect: str, stem: str) -> None:
    plain = {"cisco123", "admin123", "0822455D0A16", "wr1te", "huawei@123", "h3c", "123456", "admin"}
    for case in ("compliant", "noncompliant"):
        for r in run(dialect, stem, case).values():
            blob = json.dumps([r.evidence, r.detail()], ensure_ascii=False)
            words = set(re.findall(r"[\w@$%^#!<>]+", blob))
            assert not (plain - {"admin"}) & words, blob
            assert "%@%@1Q#" not in blob and "$9$nhEm" not in blob


def test_redact_keeps_default_communities_and_masks_others() -> None:
    assert redact("snmp-server community public RO") == "snmp-server community public RO"
    assert redact("snmp-server community Zx9q RW") == "snmp-server community ****** RW"
    assert redact(" password 7 0822455D0A16") == " password 7 ******"
    assert redact("service password-encryption") == "service password-encryption"


def test_value_conditions_and_missing_defaults() -> None:
    cfg = ParsedConfig("line vty 0 4\n exec-timeout 12 0\nline vty 5 15\n transport input ssh\n")
    cond = Condition.model_validate(
        {"value": r"^exec-timeout (\d+)", "parent": "^line vty", "max": 10, "missing": "pass"}
    )
    out = evaluate(cond, cfg)
    assert not out.passed and out.notes == ("value out of bounds: line vty 0 4 > exec-timeout 12 0",)
    ok = evaluate(cond, ParsedConfig("line vty 0 4\n transport input ssh\n"))
    assert ok.passed  # IOS's default of 10 minutes is accepted
    no_parent = evaluate(
        Condition.model_validate({"present": "^x", "parent": "^line vty"}), ParsedConfig("hostname a\n")
    )
    assert not no_parent.passed and "no line matches /^line vty/" in no_parent.notes[0]
    negated = evaluate(Condition.model_validate({"not": {"present": "^hostname"}}), ParsedConfig("hostname a\n"))
    assert not negated.passed


def test_dialect_resolution() -> None:
    assert resolve_dialect(None, "Huawei", "switch") == "huawei_vrp"
    assert resolve_dialect("hp_comware", "huawei", "switch") == "h3c_comware"  # the profile's type wins
    assert resolve_dialect(None, "inspur", "server") == "linux"
    assert resolve_dialect(None, "ruijie", "switch") == "ruijie_rgos"
    assert resolve_dialect(None, "zte", "switch") is None


def test_every_dialect_names_a_netmiko_platform() -> None:
    from netmiko.ssh_dispatcher import CLASS_MAPPER

    assert {d.netmiko_type for d in DRIVERS.values()} <= set(CLASS_MAPPER)


def test_empty_or_unparsable_answers_are_unknown_not_failures() -> None:
    rules = load_rules()
    empty = judge(DRIVERS["huawei_vrp"], {"config": "\n  \n"}, rules)
    assert {r.status for r in empty} == {"unknown"}
    assert empty[0].notes == ("empty answer to 'display current-configuration'",)
    # On Linux an empty text is a missing file, judged like any other text.
    linux = judge(DRIVERS["linux"], dict.fromkeys(DRIVERS["linux"].sources, ""), rules)
    assert {r.status for r in linux} == {"pass", "fail"}


@pytest.mark.parametrize(("dialect", "stem"), CASES)
def test_boundary_rule_needs_the_uplink_named_in_the_inventory(dialect: str, stem: str) -> None:
    result = run(dialect, stem, "compliant", uplink=None)[UPLINK_RULES[dialect]]
    assert result.status == "unknown" and result.rule.mlps and result.rule.mlps.item == "8.1.3.1"
    assert "uplink_interface" in result.notes[0] and "上行接口" in result.notes[0]
    # Another interface named as the uplink: no such interface on the device, so no filter on it.
    other = run(dialect, stem, "compliant", uplink="Eth9/9")[UPLINK_RULES[dialect]]
    assert other.status == "fail" and "no line matches /^interface Eth9/9$/" in other.notes[0]


def test_boundary_rule_evidence_and_undefined_acl() -> None:
    ios = run("cisco_ios", "ios", "compliant")["ios-uplink-acl"]
    assert ios.evidence == ("interface Vlan100 > ip access-group BORDER in",)
    vrp = run("huawei_vrp", "huawei", "noncompliant")["vrp-uplink-acl"]
    assert vrp.status == "fail" and vrp.notes[0].startswith("3999 is applied but not defined")
    rgos = run("ruijie_rgos", "ruijie", "noncompliant")["rgos-uplink-acl"]
    assert rgos.status == "fail" and rgos.notes[0].startswith("NOPE is applied but not defined")
    h3c = run("h3c_comware", "h3c", "noncompliant")["comware-uplink-acl"]
    assert h3c.status == "fail" and "interface GigabitEthernet1/0/24 (no" in h3c.evidence[0]
