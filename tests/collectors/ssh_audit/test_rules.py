"""The baseline rule files: all valid, covering what the issue asks, and the loader's messages."""

from __future__ import annotations

from pathlib import Path

import pytest

from collectors.ssh_audit.rules import DIALECTS, RulesError, load_rules, parse_rules


def test_every_baseline_loads_with_unique_ids() -> None:
    rules = load_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert {d for r in rules for d in r.dialects} == set(DIALECTS)


# What each network dialect must cover (the list), found by rule id suffix.
TOPICS = ["mgmt-ssh-only", "ssh-v2", "aaa-login", "login-failure", "timeout", "no-default-community",
          "snmp-no-rw", "snmpv3", "vty-acl", "remote-logging", "ntp", "login-banner", "no-http-server"]  # fmt: skip


@pytest.mark.parametrize("prefix", ["ios", "vrp", "comware"])
def test_network_dialects_cover_the_required_topics(prefix: str) -> None:
    ids = {r.id for r in load_rules() if r.id.startswith(prefix + "-")}
    missing = [t for t in TOPICS if not any(i.endswith(t) for i in ids)]
    assert not missing
    # Hashed secrets / password encryption
    assert any("secret" in i or "hashed" in i or "encryption" in i for i in ids)


def test_every_rule_has_bilingual_text_and_mlps_mapping_except_banners() -> None:
    for r in load_rules():
        assert r.title.zh and r.title.en and r.remediation.zh
        if "banner" not in r.id:
            assert r.mlps is not None, r.id
            assert r.mlps.item.startswith("8.1.")


BAD = """rules:
  - id: ok-rule
    title: {zh: 好, en: good}
    dialects: [cisco_ios]
    check: {present: '^ip ssh version 2$'}
    severity: high
    remediation: {zh: 修, en: fix}
  - id: broken
    title: {zh: 坏, en: bad}
    dialects: [cisco_nxos]
    check:
      all:
        - {present: '^ok$'}
        - {value: '^exec-timeout \\d+'}
    mlps: {item: 9.9.9, levels: [3]}
    severity: urgent
    remediation: {zh: 修, en: fix}
  - id: two-kinds
    title: {zh: 坏, en: bad}
    dialects: [linux]
    check: {present: 'a', absent: 'b'}
    severity: low
    remediation: {zh: 修, en: fix}
"""


def test_loader_reports_file_line_and_field_for_every_problem() -> None:
    with pytest.raises(RulesError) as err:
        parse_rules(BAD, "bad.yaml")
    problems = err.value.problems
    text = "\n".join(problems)
    assert "bad.yaml:10: broken.dialects.0:" in text  # unknown dialect, on its line
    assert "bad.yaml:14: broken.check.all.1:" in text and "capture group" in text
    assert "bad.yaml:15: broken.mlps.item:" in text and "8.1.4.1" in text
    assert "bad.yaml:16: broken.severity:" in text
    assert "bad.yaml:21: two-kinds.check:" in text and "exactly one" in text
    assert not any("ok-rule" in p for p in problems)


def test_loader_reports_yaml_syntax_errors_with_line(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("rules:\n  - id: a\n    title: {zh: [\n", encoding="utf-8")
    with pytest.raises(RulesError) as err:
        load_rules(tmp_path)
    assert err.value.problems[0].startswith(f"{tmp_path / 'x.yaml'}:")


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    rule = BAD.split("  - id: broken")[0]
    (tmp_path / "a.yaml").write_text(rule, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(rule, encoding="utf-8")
    with pytest.raises(RulesError, match="duplicate rule id"):
        load_rules(tmp_path)


def test_rules_map_to_items_of_the_grading_catalogue_at_their_levels() -> None:
    from supervision.grading.catalogue import default_catalogue

    catalogue = {i.id: i for i in default_catalogue().items}
    for r in load_rules():
        if r.mlps is None:
            continue
        assert r.mlps.item in catalogue, r.id
        # A level-3-only rule must map to a level-3-only item, or it would count at level 2.
        assert (2 in r.mlps.levels) == (catalogue[r.mlps.item].level2 is not None), r.id


def test_defined_needs_a_capture_group_and_the_ref_placeholder() -> None:
    head = "rules:\n  - id: x\n    title: {zh: 甲, en: a}\n    dialects: [cisco_ios]\n    severity: low\n"
    tail = "    remediation: {zh: 乙, en: b}\n"
    with pytest.raises(RulesError) as err:
        parse_rules(head + "    check: {present: '^ip access-group \\S+ in$', defined: '^x {ref}'}\n" + tail, "d.yaml")
    assert err.value.problems == ["d.yaml:6: x.check: defined: belongs to a present condition whose regex has one "
                                  "capture group"]  # fmt: skip
    with pytest.raises(RulesError, match="must hold \\{ref\\}"):
        parse_rules(head + "    check: {present: '^ip access-group (\\S+) in$', defined: '^x'}\n" + tail, "d.yaml")


@pytest.mark.parametrize("prefix", ["ios", "vrp", "comware", "rgos"])
def test_each_network_dialect_has_the_boundary_rule(prefix: str) -> None:
    rule = next(r for r in load_rules() if r.id == f"{prefix}-uplink-acl")
    assert rule.requires == ("uplink_interface",) and rule.mlps and rule.mlps.item == "8.1.3.1"
