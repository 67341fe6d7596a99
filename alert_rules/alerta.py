"""A small Alerta API client: alerts, heartbeats, blackouts.

Built on httpx rather than the alerta SDK because the SDK hides the HTTP
status (it raises ``UnknownError``), and the outbox must tell "Alerta is down,
keep it" (``AlertaUnavailable``) from "Alerta refused this, retrying cannot
help" (``AlertaRejected``).  The API key is a ``SecretStr`` and goes only into
the ``Authorization`` header; it never appears in a log line or an exception.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

log = logging.getLogger(__name__)


class AlertaError(Exception):
    pass


class AlertaUnavailable(AlertaError):
    """Alerta could not be reached or answered 5xx: keep the message and retry later."""


class AlertaUnauthorized(AlertaUnavailable):
    """401/403: the key is missing, wrong or lacks the right — a configuration fault, so messages are kept."""


class AlertaRejected(AlertaError):
    """Alerta answered 4xx: the request is wrong (or the key lacks the right); retrying cannot help."""


@dataclass
class AlertaClient:
    url: str
    api_key: SecretStr | None = field(default=None, repr=False)
    timeout_s: float = 10.0
    _client: httpx.Client | None = field(default=None, init=False, repr=False)

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            headers = {"Authorization": f"Key {self.api_key.get_secret_value()}"} if self.api_key else {}
            self._client = httpx.Client(base_url=self.url.rstrip("/"), headers=headers, timeout=self.timeout_s)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> AlertaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kw: Any) -> dict[str, Any]:
        try:
            resp = self.client.request(method, path, **kw)
        except httpx.TransportError as exc:
            raise AlertaUnavailable(f"Alerta {self.url} unreachable: {exc.__class__.__name__}") from None
        try:
            body: dict[str, Any] = resp.json()
        except ValueError:
            body = {"message": resp.text[:300]}
        if resp.status_code >= 500:
            raise AlertaUnavailable(f"Alerta {resp.status_code}: {body.get('message', '')}")
        if resp.status_code in (401, 403):
            raise AlertaUnauthorized(f"Alerta {resp.status_code}: the API key is missing, wrong or read-only")
        if resp.status_code >= 400:
            raise AlertaRejected(f"Alerta {resp.status_code} on {method} {path}: {body.get('message', '')}")
        return body

    # -- alerts -----------------------------------------------------------
    def send_alert(self, alert: dict[str, Any]) -> dict[str, Any]:
        """POST /alert; the answer's ``alert`` (None when a blackout suppressed it: status 202)."""
        return self.request("POST", "/alert", json=alert)

    def alerts(self, **params: Any) -> list[dict[str, Any]]:
        params.setdefault("page-size", 1000)
        out: list[dict[str, Any]] = self.request("GET", "/alerts", params=params).get("alerts", [])
        return out

    def acknowledged(self, environment: str) -> set[tuple[str, str]]:
        """(resource, event) of the alerts someone acknowledged (or shelved) in Alerta: escalation stops for them."""
        out: set[tuple[str, str]] = set()
        for status in ("ack", "shelved"):
            for a in self.alerts(status=status, environment=environment):
                out.add((a["resource"], a["event"]))
        return out

    def alert_history(self, alert_id: str) -> list[dict[str, Any]]:
        alert = self.request("GET", f"/alert/{alert_id}")["alert"]
        history: list[dict[str, Any]] = alert.get("history", [])
        return history

    def delete_alert(self, alert_id: str) -> None:
        self.request("DELETE", f"/alert/{alert_id}")

    # -- heartbeats -------------------------------------------------------
    def heartbeat(
        self, origin: str, timeout_s: int, tags: list[str] | None = None, attributes: dict[str, str] | None = None
    ) -> dict[str, Any]:
        body = {"origin": origin, "timeout": timeout_s, "tags": tags or [], "attributes": attributes or {}}
        return self.request("POST", "/heartbeat", json=body)

    def heartbeats(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self.request("GET", "/heartbeats").get("heartbeats", [])
        return out

    # -- blackouts (maintenance windows) ----------------------------------
    def create_blackout(self, blackout: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = self.request("POST", "/blackout", json=blackout)["blackout"]
        return out

    def blackouts(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = self.request("GET", "/blackouts").get("blackouts", [])
        return out

    def delete_blackout(self, blackout_id: str) -> None:
        self.request("DELETE", f"/blackout/{blackout_id}")
