"""Service probes a site declares: a YAML file (``PDCS_PROBES`` / ``pdcs collect --probes``).

```yaml
probes:
  - {name: 数字图书馆门户, device: jt-lib-srv, kind: http, url: "https://lib.example.cn/", keyword: 数字图书馆}
  - {name: OPAC, device: jt-lib-srv, kind: tcp, host: 10.1.2.3, port: 8080}
  - {name: 域名解析, device: jt-lib-srv, kind: dns, server: 10.1.2.53, query: lib.example.cn}
```

Each probe belongs to an inventory device (its tags place the result in the
region hierarchy).  Problems come back all at once as ``file: probes[i].field:
message`` (an unknown device names the probe).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from inventory.models import Inventory
from pdcs.yaml_guard import safe_load


class ProbeSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80)  # the `service` tag
    device: str  # inventory device id
    kind: Literal["tcp", "http", "dns"]
    url: str | None = None  # http: http:// or https://
    host: str | None = None  # tcp
    port: int | None = Field(None, ge=1, le=65535)  # tcp; dns server port (53)
    keyword: str | None = None  # http: must appear in the body
    expect_status: list[int] = Field(default_factory=lambda: list(range(200, 400)))  # http
    verify_tls: bool = True  # http: refuse certificates that do not verify
    cert_warn_days: int = 30  # http: below this many days to expiry the probe fails
    server: str | None = None  # dns: the resolver to ask
    query: str | None = None  # dns: the name
    record: str = "A"  # dns: the record type
    expect: str | None = None  # dns: a value the answer must contain
    timeout_s: float = Field(5.0, gt=0, le=60)
    interval_s: float = Field(60.0, ge=10)
    device_up: bool = False  # the probe decides the device's state (device_up source=http/tcp/dns)

    @model_validator(mode="after")
    def _needs(self) -> ProbeSpec:
        need = {"http": ("url",), "tcp": ("host", "port"), "dns": ("server", "query")}[self.kind]
        missing = [f for f in need if getattr(self, f) is None]
        if missing:
            raise ValueError(f"a {self.kind} probe needs {', '.join(missing)}")
        if self.kind == "http" and not (self.url or "").startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return self

    @property
    def target(self) -> str:
        """The `url` tag: what was probed."""
        if self.kind == "http":
            return self.url or ""
        if self.kind == "tcp":
            return f"tcp://{self.host}:{self.port}"
        return f"dns://{self.server}/{self.query}?{self.record}"


class ProbesError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def load_probes(path: Path, inventory: Inventory | None = None) -> list[ProbeSpec]:
    """The probes of ``path``; raises ``ProbesError`` listing every problem."""
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # unreadable or not YAML: one problem naming the file
        raise ProbesError([f"{path}: {exc}"]) from None
    items = (data or {}).get("probes") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ProbesError([f"{path}: probes: a list of probes is required"])
    out: list[ProbeSpec] = []
    problems: list[str] = []
    for i, item in enumerate(items):
        try:
            spec = ProbeSpec.model_validate(item)
        except ValidationError as exc:
            for e in exc.errors():
                where = ".".join(str(x) for x in e["loc"])
                problems.append(f"{path}: probes[{i}]{'.' + where if where else ''}: {e['msg']}")
            continue
        if inventory is not None and spec.device not in inventory.devices:
            problems.append(f"{path}: probes[{i}].device: unknown device {spec.device!r} (probe {spec.name!r})")
            continue
        out.append(spec)
    if problems:
        raise ProbesError(problems)
    return out
