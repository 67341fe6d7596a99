"""Grading worked out by hand: item results, scores and conclusions."""

from __future__ import annotations

import pytest

from supervision.grading.catalogue import CatalogueError, default_catalogue, parse_catalogue
from supervision.grading.evaluate import CheckResult, conclusion_of, grade


def r(check: str, item: str, status: str, severity: str = "medium", level: int | None = 2, source: str = "ssh_audit",
      device: str = "sw1") -> CheckResult:  # fmt: skip
    return CheckResult(device, check, item, level, severity, source, status, f"{check} {status}", 0)


RESULTS = [
    r("ios-ssh-v2", "8.1.4.1", "pass", "high"),
    r("linux-ssh-max-auth-tries", "8.1.4.1", "pass", device="srv1"),
    r("ios-snmp-no-rw", "8.1.4.2", "fail", "high"),
    r("linux-ssh-no-root-login", "8.1.4.2", "pass", "high", device="srv1"),
    r("ios-ntp", "8.1.4.3", "pass"),
    r("ios-remote-logging", "8.1.4.3", "unknown"),  # device unreachable for this one: does not count
    r("ios-vty-acl", "8.1.4.4", "fail", "high"),
    r("av-running", "7.1.4.5", "pass", source="agent", device="srv1"),  # written with the level-2 clause
    r("ios-enable-secret", "8.1.4.8", "fail", "high", level=3),
    r("backup-recent", "8.1.4.9", "unknown", source="agent", device="srv1"),
    r("ios-login-banner", "", "pass", "low", level=None),  # no MLPS item
]


def test_level_3_by_hand() -> None:
    g = grade(3, RESULTS, default_catalogue())
    results = {i.item.id: i.result for i in g.items}
    assert results == {
        "8.1.2.2": "未测评", "8.1.3.1": "未测评", "8.1.3.2": "未测评", "8.1.3.3": "未测评", "8.1.3.5": "未测评",
        "8.1.4.1": "符合",  # 2 of 2 pass
        "8.1.4.2": "部分符合",  # 1 of 2
        "8.1.4.3": "符合",  # 1 of 1 judged; the unknown one is ignored
        "8.1.4.4": "不符合",  # 0 of 1
        "8.1.4.5": "符合",  # the agent's 7.1.4.5 is the same requirement
        "8.1.4.8": "不符合",
        "8.1.4.9": "未测评",  # only an unknown result: not assessed, never a pass
        "8.1.5.4": "未测评",
    }  # fmt: skip
    # weights 1 each except 8.1.4.8 (0.5): (1 + 0.5 + 1 + 0 + 1 + 0) / (1+1+1+1+1+0.5) = 3.5 / 5.5
    assert g.score == 63.6
    assert g.assessed == 6 and len(g.items) == 13
    assert sorted(c.check for c in g.high_risks) == ["ios-enable-secret", "ios-snmp-no-rw", "ios-vty-acl"]
    assert g.conclusion == "差"
    assert g.unmapped == 1  # the banner


def test_level_2_by_hand() -> None:
    g = grade(2, RESULTS, default_catalogue())
    assert len(g.items) == 11  # 数据保密性 and 集中管控 are level-3 requirements
    clauses = {i.clause: i.result for i in g.items if i.result != "未测评"}
    assert clauses == {
        "7.1.4.1": "符合",
        "7.1.4.2": "部分符合",
        "7.1.4.3": "符合",
        "7.1.4.4": "不符合",
        "7.1.4.5": "符合",
    }
    # (1 + 0.5 + 1 + 0 + 1) / 5
    assert g.score == 70.0
    assert len(g.high_risks) == 2  # ios-enable-secret (数据保密性, a level-3 item) does not count at level 2
    assert g.conclusion == "差"


def test_good_system_with_one_medium_finding_is_liang() -> None:
    results = [
        r("a", "8.1.4.1", "pass"), r("b", "8.1.4.1", "pass"), r("c", "8.1.4.1", "pass"),
        r("ntp", "8.1.4.3", "pass"), r("log", "8.1.4.3", "fail", "medium"),
        r("tls", "8.1.2.2", "pass"), r("fw", "8.1.3.1", "pass"), r("acl", "8.1.4.4", "pass"),
        r("rw", "8.1.4.2", "pass"), r("av", "8.1.4.5", "pass"), r("bak", "8.1.4.9", "pass"),
    ]  # fmt: skip
    g = grade(2, results, default_catalogue())
    # 8.1.4.3 部分符合 (0.5); weights: 8.1.2.2 is 0.5, the rest 1:
    # (1 + 0.5 + 0.5×1 + 1 + 1 + 1 + 1 + 1) / (1 + 1 + 0.5 + 1 + 1 + 1 + 1 + 1) = 7 / 7.5
    assert g.score == 93.3
    assert not g.high_risks and len(g.medium_risks) == 1
    assert g.conclusion == "良"  # ≥ 90 but a medium risk keeps it from 优
    ok = grade(2, [x for x in results if x.check != "log"], default_catalogue())
    assert ok.score == 100.0 and ok.conclusion == "优"


def test_nothing_assessed() -> None:
    g = grade(3, [r("x", "8.1.4.1", "unknown")], default_catalogue())
    assert g.score is None and g.conclusion == "未测评" and g.assessed == 0


@pytest.mark.parametrize(
    ("score", "high", "medium", "expected"),
    [(95, 0, 0, "优"), (90, 0, 0, "优"), (95, 0, 1, "良"), (80, 0, 0, "良"), (79.9, 0, 0, "中"), (70, 0, 3, "中"),
     (69.9, 0, 0, "差"), (99, 1, 0, "差"), (None, 0, 0, "未测评")],
)  # fmt: skip
def test_conclusion_thresholds(score: float | None, high: int, medium: int, expected: str) -> None:
    assert conclusion_of(score, high, medium) == expected


def test_grading_levels_outside_2_and_3_are_refused() -> None:
    with pytest.raises(ValueError, match="levels 2 and 3"):
        grade(4, [], default_catalogue())


def test_catalogue_loader_messages() -> None:
    text = """items:
  - id: 8.1.4.1
    level2: 7.1.4.1
    category: {zh: a, en: b}
    title: {zh: a, en: b}
  - id: 9.1
    level2: 8.1.4.1
    category: {zh: a, en: b}
    title: {zh: a}
    weight: 2
"""
    with pytest.raises(CatalogueError) as err:
        parse_catalogue(text, "req.yaml")
    text_out = "\n".join(err.value.problems)
    assert "req.yaml:6: items[1].id:" in text_out
    assert "req.yaml:7: items[1].level2:" in text_out
    assert "req.yaml:9: items[1].title.en:" in text_out
    assert "req.yaml:10: items[1].weight:" in text_out


def test_an_agent_configured_for_level_3_still_evidences_a_level_2_system() -> None:
    g = grade(2, [r("av-running", "8.1.4.5", "pass", level=3, source="agent")], default_catalogue())
    item = next(i for i in g.items if i.clause == "7.1.4.5")
    assert item.result == "符合" and g.score == 100.0
