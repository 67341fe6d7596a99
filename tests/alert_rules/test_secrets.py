"""The Alerta API key: from the environment or a secrets file, never in a repr or an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr

from alert_rules.alerta import AlertaClient, AlertaUnauthorized
from devstack.alerta import AlertaServer
from pdcs.settings import Settings

KEY = "s3cret-alerta-key-8c1f"


def test_key_from_file_and_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    f = tmp_path / "alerta.key"
    f.write_text(KEY + "\n", encoding="utf-8")
    s = Settings(alerta_api_key_file=f)
    key = s.alerta_key()
    assert key is not None and key.get_secret_value() == KEY
    assert KEY not in repr(s) and KEY not in str(key)
    monkeypatch.setenv("PDCS_ALERTA_API_KEY", "from-env")
    env_key = Settings().alerta_key()
    assert env_key is not None and env_key.get_secret_value() == "from-env"


def test_refused_key_is_not_in_the_error(alerta_server: AlertaServer) -> None:
    with AlertaClient(alerta_server.url, SecretStr(KEY)) as client:
        assert KEY not in repr(client)
        with pytest.raises(AlertaUnauthorized) as err:
            client.send_alert({"resource": "r", "event": "e", "environment": "Production", "service": ["s"]})
    assert "401" in str(err.value) and KEY not in str(err.value)
