"""Agent configuration: defaults, the documented example, and mistakes named by file and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from agents.config import ConfigError, load_config, parse_config

EXAMPLE = Path(__file__).parents[2] / "agents/packaging/agent.example.yaml"


def test_example_config_loads_with_defaults() -> None:
    cfg = load_config(EXAMPLE)
    assert (cfg.listen_host, cfg.listen_port) == ("0.0.0.0", 9750)
    assert cfg.mlps_level == "2" and cfg.checks_interval_s == 3600 and cfg.push is None
    assert cfg.check_params["signature_max_age_days"] == 7


def test_push_token_from_file_never_inline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "token").write_text("abc123\n")
    cfg = parse_config(
        {"device": "k1", "push": {"url": "https://c.example/ingest/v1/push", "token": {"file": "token"},
                                  "spool_dir": "spool"}},
        "agent.yaml", tmp_path,
    )  # fmt: skip
    assert cfg.push is not None and cfg.push.token == "abc123" and cfg.push.spool_dir == tmp_path / "spool"
    assert "abc123" not in repr(cfg)
    with pytest.raises(ConfigError, match=r"agent.yaml: push.token: give the token as \{env: VARIABLE\}"):
        parse_config({"device": "k1", "push": {"url": "https://c/x", "token": "abc123"}})
    monkeypatch.setenv("PDCS_AGENT_TOKEN", "fromenv")
    cfg = parse_config({"device": "k1", "push": {"url": "https://c/x", "token": {"env": "PDCS_AGENT_TOKEN"}}})
    assert cfg.push is not None and cfg.push.token == "fromenv"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"listen": "127.0.0.1:99999"}, "agent.yaml: listen: must be HOST:PORT"),
        ({"mlps_level": 4}, "agent.yaml: mlps_level: must be 2 or 3"),
        ({"checks": {"interval_s": 0}}, "agent.yaml: checks.interval_s: must be a number > 0"),
        ({"services": [{"name": "portal", "url": "ftp://x"}]}, r"agent.yaml: services\[0\]: needs name and an http"),
        ({"push": {"url": "https://c/x", "token": {"env": "X"}}}, "agent.yaml: device: push mode needs"),
        ({"colour": "blue"}, "agent.yaml: colour: unknown setting"),
        ({"device": "k", "push": {"url": "https://c/x", "token": {"env": "PDCS_UNSET_VAR_X"}}},
         "push.token: environment variable PDCS_UNSET_VAR_X is not set"),
    ],
)  # fmt: skip
def test_mistakes_name_the_field(data: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(data)


def test_bad_yaml_names_the_line(tmp_path: Path) -> None:
    p = tmp_path / "agent.yaml"
    p.write_text("device: k1\nservices:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"agent.yaml:\d+: not valid YAML"):
        load_config(p)
