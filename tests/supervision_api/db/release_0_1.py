"""The API database as pdcs 0.1.0 made it — before migrations — frozen for the upgrade tests.

The tables are a copy of ``supervision_api/db/schema.py`` at that release (commit 3bd5c06),
created the way that release did (``metadata.create_all``), and filled with rows through plain
SQL so that nothing of today's code (which moves on) writes them: users, a live and a revoked
API token (hashed as that release hashed them), audit entries, stored inventory and the
``meta`` version counter.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Engine,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
)

metadata = MetaData()

inventory_items = Table(
    "inventory_items",
    metadata,
    Column("kind", String(32), primary_key=True),
    Column("key", String(128), primary_key=True),
    Column("region", String(12), nullable=False, index=True),
    Column("doc", JSON, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), unique=True, nullable=False),
    Column("role", String(32), nullable=False),
    Column("scope", String(12), nullable=False),
    Column("display_name", String(128), nullable=False),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("prefix", String(16), unique=True, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False),
    Column("label", String(128), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
)
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("user", String(64), nullable=False),
    Column("role", String(32), nullable=False),
    Column("action", String(64), nullable=False),
    Column("region", String(12), nullable=False, index=True),
    Column("target", String(256), nullable=False),
    Column("details", JSON, nullable=False),
    Column("outcome", Text, nullable=False),
    Index("ix_audit_at", "at"),
)
meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Integer, nullable=False),
)

LIVE_TOKEN = "pdcs_1a2b3c4d_" + "k" * 43
REVOKED_TOKEN = "pdcs_5e6f7a8b_" + "r" * 43
# Ten days ago: a token of the release is recent enough to be valid under any expiry rule a later one brings.
WHEN = datetime.now(UTC).replace(microsecond=0) - timedelta(days=10)


# Documents as that release stored them (``inventory_store.to_doc`` of inventory/examples).
INVENTORY_DOCS: list[tuple[str, str, str, dict[str, object]]] = [
    ("region", "51", "51", {"code": "51", "name": "四川省"}),
    (
        "facility",
        "jt-zhaozhen",
        "510121",
        {
            "id": "jt-zhaozhen",
            "name": "赵镇街道综合文化服务中心",
            "kind": "township_centre",
            "county": "510121",
            "opening_hours": {"mon": ["08:30-12:00", "14:00-17:30"], "sat": ["09:00-17:00"]},
            "timezone": "Asia/Shanghai",
            "holiday_calendar": True,
            "uplink_mbps": 100.0,
            "address": "四川省成都市金堂县赵镇街道",
            "attributes": {"wireless_coverage": True, "service_point_upgraded": True},
        },
    ),
    (
        "device",
        "jt-zz-sw01",
        "510121",
        {
            "id": "jt-zz-sw01",
            "name": "赵镇交换机",
            "kind": "switch",
            "facility": "jt-zhaozhen",
            "address": "10.51.121.9",
            "snmp_profile": "county-v2c",
            "vendor": "huawei",
            "enabled": True,
        },
    ),
    (
        "snmp_profile",
        "county-v2c",
        "",
        {
            "name": "county-v2c",
            "version": "2c",
            "community": {"env": "PDCS_SECRET_SNMP_COUNTY"},
            "context": "",
            "port": 161,
            "timeout_s": 2.0,
            "retries": 1,
            "interval_s": 60.0,
        },
    ),
]


@dataclass(frozen=True)
class Filled:
    users: int
    tokens: int
    audit: int
    items: int
    inventory_version: int


def create_and_fill(engine: Engine) -> Filled:
    """The release's schema and a deployment's worth of rows in it."""
    metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(
            insert(users),
            [
                dict(name="zhang", role="admin", scope="", display_name="张管理员", disabled=False, created_at=WHEN),
                dict(
                    name="wang",
                    role="province_inspector",
                    scope="51",
                    display_name="王检查员",
                    disabled=False,
                    created_at=WHEN,
                ),
            ],
        )
        wang = conn.execute(select(users.c.id).where(users.c.name == "wang")).scalar_one()
        conn.execute(
            insert(api_tokens),
            [
                dict(
                    prefix="1a2b3c4d",
                    sha256=hashlib.sha256(LIVE_TOKEN.encode()).hexdigest(),
                    user_id=wang,
                    label="笔记本",
                    created_at=WHEN,
                    revoked_at=None,
                    last_used_at=WHEN,
                ),
                dict(
                    prefix="5e6f7a8b",
                    sha256=hashlib.sha256(REVOKED_TOKEN.encode()).hexdigest(),
                    user_id=wang,
                    label="old",
                    created_at=WHEN,
                    revoked_at=WHEN,
                    last_used_at=None,
                ),
            ],
        )
        conn.execute(
            insert(audit_log),
            [
                dict(
                    at=WHEN,
                    user="cli:root",
                    role="",
                    action=action,
                    region="51",
                    target="wang",
                    details={"label": "笔记本"},
                    outcome="ok",
                )
                for action in ("user.add", "token.create", "report.pull")
            ],
        )
        conn.execute(
            insert(inventory_items),
            [
                dict(kind=kind, key=key, region=region, doc=doc, updated_at=WHEN)
                for kind, key, region, doc in INVENTORY_DOCS
            ],
        )
        conn.execute(insert(meta), [dict(key="inventory_version", value=7)])
    return Filled(users=2, tokens=2, audit=3, items=len(INVENTORY_DOCS), inventory_version=7)


def dump(engine: Engine) -> dict[str, list[str]]:
    """Every row of the release's tables, as text, for before/after comparisons."""
    out: dict[str, list[str]] = {}
    with engine.connect() as conn:
        for table in metadata.sorted_tables:
            cols = [c.name for c in table.columns]
            rows = conn.execute(table.select().order_by(*table.primary_key.columns)).all()
            out[table.name] = [
                json.dumps({c: _plain(v) for c, v in zip(cols, row, strict=True)}, ensure_ascii=False, sort_keys=True)
                for row in rows
            ]
    return out


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        # SQLite hands back naive datetimes for what it stored as UTC
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    return value
