"""Which InfluxDB holds which province: the shard map (settings ``influx_shards``, env ``PDCS_INFLUX_SHARDS``).

One InfluxDB 1.x OSS node holds about 10^7 series and has no clustering (InfluxData's hardware sizing
guide, https://docs.influxdata.com/influxdb/v1/guides/hardware_sizing/), so a national deployment gives
each province — or a group of small ones — its own store. The map is one YAML file::

    default: {url: http://127.0.0.1:8086, database: pdcs}        # every province not listed
    provinces:
      "51": {url: http://10.0.51.5:8086, database: pdcs, username: pdcs, password: {env: PDCS_INFLUX_51_PASSWORD}}
      "44": {url: http://10.0.44.5:8086, database: pdcs}
    national: {url: http://10.0.0.5:8086, database: pdcs_national}  # optional: the national summaries store

Secrets are never written in the file: ``password`` and ``token`` are the inventory's secret references
(:class:`inventory.models.SecretRef`, the one resolver notify uses too): ``{env: NAME}``,
``{file: secrets.yaml, key: NAME}`` (relative to the map's folder), or the same written as one string,
``"{env:NAME}"`` / ``"{file:secrets.yaml#NAME}"``. Every problem is reported as ``file:line: field: message``.

Unset, the map has one entry built from ``influx_url``/``influx_db``/credentials: today's single store.
A province is a region code's first two digits (GB/T 2260); the nation (``""``) reads the default store
through :meth:`ShardMap.for_region`, and every store through :meth:`ShardMap.reader` (exact: see
:class:`pdcs.storage.federated.FederatedInfluxDB`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from inventory.models import SecretRef
from pdcs.points import Point, to_lines
from pdcs.storage.influx import InfluxDB
from pdcs.yaml_lines import YamlDocument, YamlFileError, read_document

if TYPE_CHECKING:
    from pdcs.settings import Settings

PROVINCE = re.compile(r"\d{2}")
# A secret reference written as one string: "{env:NAME}" or "{file:PATH#KEY}" (SecretRef.describe in braces).
_REF_STRING = re.compile(r"\{\s*(env|file)\s*:\s*([^}#]+?)\s*(?:#\s*([^}]+?)\s*)?\}")


class ShardMapError(ValueError):
    """The shard map does not load; ``problems`` are ``file:line: field: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))

    def text(self, lang: str = "zh") -> str:
        """The problems under a heading in ``lang`` (``pdcs`` prints it: pdcs/cli_errors.py ``Speaks``)."""
        head = (
            "分片配置有误（PDCS_INFLUX_SHARDS）："
            if lang == "zh"
            else "the shard map does not load (PDCS_INFLUX_SHARDS):"
        )
        return "\n".join([head, *self.problems])


def _secret_ref(value: object) -> object:
    if isinstance(value, str):
        m = _REF_STRING.fullmatch(value.strip())
        if not m:
            raise ValueError(
                "secrets must not be written in the file: give {env: NAME}, {file: secrets.yaml, key: NAME} "
                'or "{env:NAME}"'
            )
        kind, target, key = m.groups()
        return {"env": target} if kind == "env" else {"file": target, "key": key}
    return value


class StoreSpec(BaseModel):
    """One store of the map as written: where it is and how to log in (secrets by reference)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(pattern=r"^https?://[^\s/]+(/\S*)?$")
    database: str = Field(default="pdcs", min_length=1)
    username: str | None = None
    password: SecretRef | None = None
    token: SecretRef | None = None

    _refs = field_validator("password", "token", mode="before")(_secret_ref)

    def client(self, base_dir: Path | None) -> InfluxDB:
        """The store's client; raises ``LookupError`` naming the reference when a secret does not resolve."""
        return InfluxDB(
            url=self.url.rstrip("/"),
            database=self.database,
            username=self.username,
            password=self.password.resolve(base_dir).get_secret_value() if self.password else None,
            token=self.token.resolve(base_dir).get_secret_value() if self.token else None,
        )


class ShardFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default: StoreSpec
    provinces: dict[str, StoreSpec] = Field(default_factory=dict)
    national: StoreSpec | None = None

    @field_validator("provinces", mode="before")
    @classmethod
    def _codes(cls, v: object) -> object:
        if isinstance(v, Mapping):
            out: dict[str, object] = {}
            for code, spec in v.items():
                code = f"{code:02d}" if isinstance(code, int) and not isinstance(code, bool) else str(code)
                if not PROVINCE.fullmatch(code):
                    raise ValueError(f"provinces.{code}: {code!r} is not a province code (2 digits of GB/T 2260)")
                out[code] = spec
            return out
        return v


def _key(db: InfluxDB) -> tuple[str, str]:
    return db.url.rstrip("/"), db.database


@dataclass
class ShardMap:
    """Province code → InfluxDB client; one client per distinct store (same URL and database)."""

    default: InfluxDB
    provinces: dict[str, InfluxDB] = field(default_factory=dict)
    national_store: InfluxDB | None = None

    def __post_init__(self) -> None:
        # One client per store: a province written with the default's URL and database *is* the default.
        by_key: dict[tuple[str, str], InfluxDB] = {_key(self.default): self.default}
        self.provinces = {code: by_key.setdefault(_key(db), db) for code, db in sorted(self.provinces.items())}

    # -- building -----------------------------------------------------------------------------
    @classmethod
    def single(cls, db: InfluxDB) -> ShardMap:
        """Today's deployment: every region in one store."""
        return cls(default=db)

    @classmethod
    def from_settings(cls, settings: Settings) -> ShardMap:
        """The map of ``settings.influx_shards``; unset: the one store of ``influx_url``/``influx_db``.

        Raises :class:`ShardMapError` when the file does not load."""
        if settings.influx_shards is None:
            return cls.single(settings.influx())
        return load_shard_map(settings.influx_shards)

    # -- looking up ---------------------------------------------------------------------------
    def for_region(self, code: str) -> InfluxDB:
        """The store holding region ``code`` (a province's first two digits); the nation ``""``: the default."""
        return self.provinces.get(code[:2], self.default) if code else self.default

    def store_of(self, tags: Mapping[str, str]) -> InfluxDB:
        """The store of a point with these tags: its ``province`` tag's (``Inventory.device_tags``); the
        default for a point without one (a trap or a push from a sender the inventory does not know)."""
        return self.for_region(tags.get("province", ""))

    def write_points(self, points: Iterable[Point], *, retention_policy: str | None = None) -> int:
        """Write ``points`` each to its store (:meth:`store_of`), at once — for commands without a spool
        (``pdcs syslog index``, ``pdcs audit --write``); returns the points written."""
        by_store: dict[int, tuple[InfluxDB, list[Point]]] = {}
        for p in points:
            db = self.store_of(p.tags)
            by_store.setdefault(id(db), (db, []))[1].append(p)
        return sum(db.write_lines(to_lines(ps), retention_policy=retention_policy) for db, ps in by_store.values())

    def stores(self) -> list[tuple[frozenset[str] | None, InfluxDB]]:
        """Each distinct store with the province codes it holds; ``None``: the default (every province not
        listed elsewhere, and those listed with the default's URL and database)."""
        held: dict[int, set[str]] = {}
        clients: dict[int, InfluxDB] = {id(self.default): self.default}
        for code, db in self.provinces.items():
            if db is not self.default:
                held.setdefault(id(db), set()).add(code)
                clients[id(db)] = db
        return [(None if key == id(self.default) else frozenset(held[key]), db) for key, db in clients.items()]

    def split(self, codes: Iterable[str]) -> list[tuple[InfluxDB, list[str]]]:
        """``codes`` (regions, e.g. every county) grouped by the store holding them, in the order of
        :meth:`stores`; a store holding none of them is left out."""
        groups: dict[int, list[str]] = {}
        for code in codes:
            groups.setdefault(id(self.for_region(code)), []).append(code)
        return [(db, groups[id(db)]) for _, db in self.stores() if id(db) in groups]

    def national(self) -> InfluxDB | None:
        """The national summaries store (the map's ``national``), None when the map has none."""
        return self.national_store

    @property
    def is_single(self) -> bool:
        return len(self.stores()) == 1

    def reader(self, code: str = "") -> InfluxDB:
        """The client reading region ``code``: its store; for the nation on a map of several stores, every
        store at once (:class:`~pdcs.storage.federated.FederatedInfluxDB`, refusing what it cannot answer
        exactly rather than reading one store)."""
        if code or self.is_single:
            return self.for_region(code)
        from pdcs.storage.federated import FederatedInfluxDB

        return FederatedInfluxDB.over([db for _, db in self.stores()])

    def close(self) -> None:
        for _, db in self.stores():
            db.close()
        if self.national_store is not None:
            self.national_store.close()

    def __enter__(self) -> ShardMap:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_shard_map(path: Path, *, resolve: bool = True) -> ShardMap:
    """Read and check the YAML map at ``path``; every problem as ``file:line: field: message``.

    ``resolve=False``: the clients carry no credentials (what ``pdcs grafana build`` needs: where, not how)."""
    try:
        doc = read_document(path)
    except YamlFileError as exc:
        raise ShardMapError([exc.problem]) from None
    if not isinstance(doc.data, dict):
        raise ShardMapError([f"{path}:1: file: must be a mapping with default: (and provinces:, national:)"])
    try:
        spec = ShardFile.model_validate(doc.data)
    except ValidationError as exc:
        raise ShardMapError([_problem(path, doc, err) for err in exc.errors()]) from None
    base = path.resolve().parent
    problems: list[str] = []
    clients: dict[tuple[str, ...], InfluxDB] = {}
    entries: list[tuple[tuple[str, ...], StoreSpec]] = [(("default",), spec.default)]
    entries += [(("provinces", code), s) for code, s in spec.provinces.items()]
    if spec.national is not None:
        entries.append((("national",), spec.national))
    for loc, store in entries:
        if not resolve:
            store = store.model_copy(update={"password": None, "token": None})
        try:
            clients[loc] = store.client(base)
        except LookupError as exc:  # an unset variable or a missing key: the message names the reference
            field_loc = (*loc, "password" if store.password and _unresolved(store.password, base) else "token")
            problems.append(f"{path}:{doc.line_of(field_loc)}: {'.'.join(field_loc)}: {exc}")
    if problems:
        raise ShardMapError(problems)
    return ShardMap(
        default=clients[("default",)],
        provinces={code: clients[("provinces", code)] for code in spec.provinces},
        national_store=clients.get(("national",)),
    )


def _unresolved(ref: SecretRef, base: Path) -> bool:
    try:
        ref.resolve(base)
    except LookupError:
        return True
    return False


def _problem(path: Path, doc: YamlDocument, err: Any) -> str:
    loc: tuple[str | int, ...] = tuple(err["loc"])
    msg = str(err["msg"]).removeprefix("Value error, ")
    if loc and loc[-1] in {"env", "file", "key"} and len(loc) > 1:  # inside a reference: blame the field
        loc = loc[:-1]
    if re.match(r"provinces\.\w+: ", msg):  # a bad province code names itself
        field_name, msg = msg.split(": ", 1)
        loc = tuple(field_name.split("."))
    where = ".".join(str(p) for p in loc) or "file"
    return f"{path}:{doc.line_of(loc)}: {where}: {msg}"


def write_shard_map(
    path: Path,
    default: tuple[str, str],
    provinces: Mapping[str, tuple[str, str]] | None = None,
    national: tuple[str, str] | None = None,
) -> Path:
    """Write a map without credentials (``pdcs dev up --provinces N``, tests): stores as (url, database)."""

    def entry(store: tuple[str, str]) -> dict[str, str]:
        return {"url": store[0], "database": store[1]}

    data: dict[str, Any] = {"default": entry(default)}
    if provinces:
        data["provinces"] = {code: entry(s) for code, s in sorted(provinces.items())}
    if national is not None:
        data["national"] = entry(national)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '# the shard map (PDCS_INFLUX_SHARDS): province code -> InfluxDB; docs/architecture.md "Storage"\n'
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    return path
