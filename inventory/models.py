"""Pydantic models of the inventory.

Regions use GB/T 2260 codes: province ``51``, city ``5101``, county
``510124``.  A region's parent is its code with the last two digits removed,
so "a county sits under its city" is a property of the code itself; a region
that names a ``parent`` must name that one.

Secrets (SNMP communities, SNMPv3 keys, SSH passwords) are never inline: a
profile holds a :class:`SecretRef` naming an environment variable or a key in
a secrets file, and resolves it to a ``SecretStr`` only when a collector needs
it.  ``SecretStr`` prints as ``**********`` in reprs, logs and API answers.
"""

from __future__ import annotations

import itertools
import os
import re
from collections.abc import Iterable
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    field_serializer,
    field_validator,
    model_validator,
)

from inventory.texts import Invalid, Unresolved
from pdcs import yaml_guard

REGION_CODE = re.compile(r"^\d{2}(\d{2}(\d{2})?)?$")


class RegionLevel(StrEnum):
    PROVINCE = "province"
    CITY = "city"
    COUNTY = "county"


def region_level(code: str) -> RegionLevel:
    return {2: RegionLevel.PROVINCE, 4: RegionLevel.CITY, 6: RegionLevel.COUNTY}[len(code)]


def parent_code(code: str) -> str | None:
    return code[:-2] if len(code) > 2 else None


def region_chain(county: str) -> tuple[str, str, str]:
    """(province, city, county) codes of a county code."""
    return county[:2], county[:4], county


def in_scope(code: str, scopes: Iterable[str]) -> bool:
    """True when region ``code`` lies within (or is) one of ``scopes``; ``""`` is the nation."""
    return any(code.startswith(s) for s in scopes)


class _Model(BaseModel):
    # YAML reads ``county: 510121`` and ``version: 3`` as numbers; codes and names are text.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, coerce_numbers_to_str=True)


class Region(_Model):
    code: str
    name: str
    parent: str | None = None

    @field_validator("code")
    @classmethod
    def _code(cls, v: str) -> str:
        if not REGION_CODE.match(v):
            raise Invalid("inventory.region_code")
        if v.endswith("00"):
            raise Invalid("inventory.region_short")
        return v

    @model_validator(mode="after")
    def _parent(self) -> Region:
        expected = parent_code(self.code)
        if self.parent is not None and self.parent != expected:
            if expected:
                raise Invalid(
                    "inventory.region_parent", at="parent", parent=self.parent, code=self.code, expected=expected
                )
            raise Invalid("inventory.province_parent", at="parent", parent=self.parent)
        return self

    @property
    def level(self) -> RegionLevel:
        return region_level(self.code)


class FacilityKind(StrEnum):
    PUBLIC_LIBRARY = "public_library"  # 公共图书馆
    CULTURAL_CENTRE = "cultural_centre"  # 文化馆
    TOWNSHIP_CENTRE = "township_centre"  # 乡镇（街道）综合文化服务中心
    E_READING_ROOM = "e_reading_room"  # 公共电子阅览室
    BORDER_STATION = "border_station"  # 边疆数字文化驿站
    NATIONAL_CENTRE = "national_centre"  # 国家/省级中心


FACILITY_KIND_ZH: dict[FacilityKind, str] = {
    FacilityKind.PUBLIC_LIBRARY: "公共图书馆",
    FacilityKind.CULTURAL_CENTRE: "文化馆",
    FacilityKind.TOWNSHIP_CENTRE: "乡镇综合文化服务中心",
    FacilityKind.E_READING_ROOM: "公共电子阅览室",
    FacilityKind.BORDER_STATION: "边疆数字文化驿站",
    FacilityKind.NATIONAL_CENTRE: "国家/省级中心",
}


class DeviceKind(StrEnum):
    E_READING_TERMINAL = "e_reading_terminal"  # 电子阅览终端
    KIOSK = "kiosk"  # 一体机
    WIRELESS_AP = "wireless_ap"
    WIRELESS_CONTROLLER = "wireless_controller"
    SWITCH = "switch"  # switch or router
    SERVER = "server"


DEVICE_KIND_ZH: dict[DeviceKind, str] = {
    DeviceKind.E_READING_TERMINAL: "电子阅览终端",
    DeviceKind.KIOSK: "一体机",
    DeviceKind.WIRELESS_AP: "无线接入点",
    DeviceKind.WIRELESS_CONTROLLER: "无线控制器",
    DeviceKind.SWITCH: "交换机/路由器",
    DeviceKind.SERVER: "服务器",
}

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class OpeningSpan(_Model):
    """One opening interval within a day, local time; ``end`` may be 24:00."""

    start: time
    end_minute: int  # minutes after local midnight, 1..1440

    @classmethod
    def parse(cls, text: str) -> OpeningSpan:
        m = _SPAN.match(text.strip())
        if not m:
            raise Invalid("inventory.span_format", span=text)
        h1, m1, h2, m2 = (int(g) for g in m.groups())
        if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
            raise Invalid("inventory.span_time", span=text)
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise Invalid("inventory.span_order", span=text)
        return cls(start=time(h1, m1), end_minute=end)

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end_minute // 60:02d}:{self.end_minute % 60:02d}"


_DAY_NAMES: dict[str, str] = {
    **{w: w for w in WEEKDAYS},
    **dict(zip(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), WEEKDAYS, strict=True)),
    **{f"周{d}": w for d, w in zip("一二三四五六日", WEEKDAYS, strict=True)},
    **{f"星期{d}": w for d, w in zip("一二三四五六日", WEEKDAYS, strict=True)},
    "周天": "sun",
    "星期天": "sun",
}


def weekday_key(day: object) -> str:
    """``mon``..``sun`` for a weekday as written (``Mon``, ``monday``, ``周一``)."""
    key = _DAY_NAMES.get(str(day).strip().lower())
    if key is None:
        raise Invalid("inventory.weekday_unknown")
    return key


def parse_day_spans(spans: object) -> tuple[OpeningSpan, ...]:
    """One weekday's opening spans, sorted; ``closed``/empty is ``()``; overlaps are refused."""
    if spans is None or spans in ("", "closed") or spans == []:
        return ()
    items = spans.split(",") if isinstance(spans, str) else list(spans) if isinstance(spans, list | tuple) else [spans]
    parsed = tuple(s if isinstance(s, OpeningSpan) else OpeningSpan.parse(str(s)) for s in items)
    parsed = tuple(sorted(parsed, key=lambda s: s.start_minute))
    for a, b in itertools.pairwise(parsed):
        if b.start_minute < a.end_minute:
            raise Invalid("inventory.span_overlap", a=str(a), b=str(b))
    return parsed


class HarmObject(StrEnum):
    """GB/T 22240 受侵害的客体: the object that harm to the system would affect."""

    CITIZENS = "公民法人合法权益"  # legitimate rights of citizens, legal persons and organisations
    PUBLIC_ORDER = "社会秩序公共利益"  # social order and public interest
    NATIONAL_SECURITY = "国家安全"  # national security


class HarmDegree(StrEnum):
    """GB/T 22240 对客体的侵害程度."""

    GENERAL = "一般损害"
    SERIOUS = "严重损害"
    ESPECIALLY_SERIOUS = "特别严重损害"


_HARM_ALIASES = {
    # The official wording of GB/T 22240-2020 §5.2 (受侵害的客体), beside the short forms.
    "公民、法人和其他组织的合法权益": HarmObject.CITIZENS,
    "公民法人和其他组织的合法权益": HarmObject.CITIZENS,
    "社会秩序、公共利益": HarmObject.PUBLIC_ORDER,
    "社会秩序和公共利益": HarmObject.PUBLIC_ORDER,
    "citizens": HarmObject.CITIZENS,
    "public_order": HarmObject.PUBLIC_ORDER,
    "national_security": HarmObject.NATIONAL_SECURITY,
    "general": HarmDegree.GENERAL,
    "serious": HarmDegree.SERIOUS,
    "especially_serious": HarmDegree.ESPECIALLY_SERIOUS,
}


class MlpsDeclaration(_Model):
    """What a facility's system declares for MLPS grading (定级): the object harmed and the degree.

    Values are the Chinese terms of GB/T 22240 (``社会秩序公共利益``, ``严重损害``) or
    English keys (``public_order``, ``serious``).  The level follows from the matrix
    in ``supervision/grading/levels.py``.
    """

    harm_object: HarmObject
    harm_degree: HarmDegree
    system: str | None = None  # the graded system's name (定级对象), e.g. 数字图书馆服务系统

    @field_validator("harm_object", "harm_degree", mode="before")
    @classmethod
    def _alias(cls, v: object) -> object:
        return _HARM_ALIASES.get(str(v).strip().lower(), v) if isinstance(v, str) else v


class SpecialDay(_Model):
    """A dated closure or special hours a facility announced (闭馆公告, 除夕闭馆, 延时开放), with its reason."""

    day: date = Field(validation_alias=AliasChoices("date", "day", "日期"))
    to: date | None = None  # last day, inclusive; None: one day
    hours: tuple[OpeningSpan, ...] = ()  # empty: closed
    reason: str = Field(min_length=1)

    @field_validator("hours", mode="before")
    @classmethod
    def _spans(cls, v: object) -> object:
        return parse_day_spans(v)

    @field_serializer("hours")
    def _hours_out(self, hours: tuple[OpeningSpan, ...]) -> list[str]:
        return [str(s) for s in hours]

    @model_validator(mode="after")
    def _order(self) -> SpecialDay:
        if self.to is not None and self.to < self.day:
            raise ValueError("to: before date")
        return self

    def covers(self, day: date) -> bool:
        return self.day <= day <= (self.to or self.day)


# The Facility.attributes key of a declared digital service (数字图书馆/数字文化馆 portal): the collector
# probes it over HTTP (collectors/probes/declared.py) and the assessment's service_probe indicator reads it.
SERVICE_URL = "service_url"


class Facility(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str
    kind: FacilityKind
    county: str
    # weekday (mon..sun) -> spans; a missing weekday is closed all day.
    opening_hours: dict[str, tuple[OpeningSpan, ...]] = Field(default_factory=dict)
    timezone: str = "Asia/Shanghai"
    holiday_calendar: bool = True  # follows China's official holidays and adjusted working days
    # On statutory (and regional) holidays: "open" or "closed"; None: the facility kind's default
    # (supervision/schedule.py: libraries and cultural centres open, 《公共图书馆法》第三十三条).
    holidays: Literal["open", "closed"] | None = None
    holiday_hours: tuple[OpeningSpan, ...] | None = None  # hours on holidays when open; None: that weekday's
    special_days: tuple[SpecialDay, ...] = ()  # dated closures and special hours, each with its reason
    uplink_mbps: float | None = Field(default=None, gt=0)
    address: str | None = None
    # Where it is, WGS-84 degrees (GPS, as surveyed; not the GCJ-02 "Mars" coordinates of 高德/腾讯 web maps,
    # which GB 20263 requires public Chinese maps to show — convert before overlaying). Optional: the
    # inspectors' page maps the facilities that have both.
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    # Free-form facts used by the annual assessment (e.g. digital_library_service: true; service_url:
    # the facility's digital service, probed by the collector — SERVICE_URL).
    attributes: dict[str, str | int | float | bool] = Field(default_factory=dict)
    # MLPS grading declaration (GB/T 22240); None: the facility's system has not been graded.
    mlps: MlpsDeclaration | None = None
    # 投运日期: supervision starts at local midnight of this day (else at its devices' first poll).
    commissioned: date | None = Field(default=None, validation_alias=AliasChoices("commissioned", "投运日期"))

    @field_validator("county")
    @classmethod
    def _county(cls, v: str) -> str:
        if not re.match(r"^\d{6}$", v) or v.endswith("00"):
            raise Invalid("inventory.county_code")
        return v

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise Invalid("inventory.timezone", zone=v) from None
        return v

    @field_validator("opening_hours", mode="before")
    @classmethod
    def _hours(cls, v: object) -> object:
        if not isinstance(v, dict):
            return v
        out: dict[str, tuple[OpeningSpan, ...]] = {}
        for day, spans in v.items():
            try:
                key = weekday_key(day)
                if key in out:
                    raise Invalid("inventory.weekday_twice")
                out[key] = parse_day_spans(spans)
            except Invalid as exc:
                # Name the weekday as written so the loader can point at that weekday's line.
                raise Invalid(exc.code, **exc.params, at=str(day)) from None
        return {k: v for k, v in out.items() if v}

    @field_validator("holiday_hours", mode="before")
    @classmethod
    def _holiday_hours(cls, v: object) -> object:
        return None if v is None else parse_day_spans(v)

    @field_serializer("holiday_hours")
    def _holiday_hours_out(self, hours: tuple[OpeningSpan, ...] | None) -> list[str] | None:
        return None if hours is None else [str(s) for s in hours]

    @field_serializer("opening_hours")
    def _hours_out(self, hours: dict[str, tuple[OpeningSpan, ...]]) -> dict[str, list[str]]:
        # The same text form the files use: {"mon": ["09:00-12:00", "14:00-17:30"]}.
        return {day: [str(s) for s in spans] for day, spans in hours.items()}

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Device(_Model):
    id: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    name: str | None = None
    kind: DeviceKind
    facility: str
    address: str | None = None  # management address: host or host:port
    snmp_profile: str | None = None
    ssh_profile: str | None = None
    agent_url: str | None = None
    vendor: str | None = None
    uplink_interface: str | None = None  # ifDescr/ifName of the facility uplink, if this device carries it
    enabled: bool = True
    # 投运日期 / 停用日期: supervised from local midnight of ``commissioned`` (else from its first
    # recorded poll) until local midnight of ``decommissioned`` (exclusive).
    commissioned: date | None = Field(default=None, validation_alias=AliasChoices("commissioned", "投运日期"))
    decommissioned: date | None = Field(default=None, validation_alias=AliasChoices("decommissioned", "停用日期"))

    @field_validator("agent_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://", v):
            raise Invalid("inventory.url")
        return v

    @model_validator(mode="after")
    def _needs_address(self) -> Device:
        if (self.snmp_profile or self.ssh_profile) and not self.address:
            raise Invalid("inventory.needs_address", at="address")
        return self

    def host_port(self, default_port: int) -> tuple[str, int]:
        """Split ``address`` into host and port (IPv6 in brackets: ``[::1]:161``)."""
        assert self.address
        addr = self.address
        if addr.startswith("["):
            host, _, rest = addr[1:].partition("]")
            return host, int(rest[1:]) if rest.startswith(":") else default_port
        if addr.count(":") == 1:
            host, port = addr.split(":")
            return host, int(port)
        return addr, default_port


class SecretRef(_Model):
    """Where a secret lives: an environment variable, or a key in a secrets file.

    Secrets files are YAML mappings (``key: value``); relative paths are taken
    from the inventory folder.  The secret itself never appears in the inventory.
    """

    env: str | None = None
    file: str | None = None
    key: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> SecretRef:
        if bool(self.env) == bool(self.file):
            raise Invalid("inventory.secret_one_source")
        if self.file and not self.key:
            raise Invalid("inventory.secret_key")
        return self

    def describe(self) -> str:
        return f"env:{self.env}" if self.env else f"file:{self.file}#{self.key}"

    def resolve(self, base_dir: Path | None = None) -> SecretStr:
        """The secret; raises ``LookupError`` (naming the reference, not the value) when missing."""
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise Unresolved("inventory.env_unset", name=self.env)
            return SecretStr(value)
        assert self.file and self.key
        path = Path(self.file)
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        try:
            data = yaml_guard.safe_load(path.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise Unresolved("inventory.secrets_unreadable", path=str(path), error=exc.strerror) from None
        except yaml.YAMLError:  # the message could quote the file, which holds secrets
            raise Unresolved("inventory.secrets_yaml", path=str(path)) from None
        if not isinstance(data, dict) or self.key not in data:
            raise Unresolved("inventory.secrets_no_key", path=str(path), key=self.key)
        return SecretStr(str(data[self.key]))


AuthProto = Literal["MD5", "SHA", "SHA224", "SHA256", "SHA384", "SHA512"]
PrivProto = Literal["DES", "AES", "AES128", "AES192", "AES256"]


class SnmpProfile(_Model):
    name: str
    version: Literal["1", "2c", "3"] = "2c"  # YAML's bare 3 arrives as int: see _version
    community: SecretRef | None = None
    user: str | None = None
    auth_protocol: AuthProto | None = None
    auth_key: SecretRef | None = None
    priv_protocol: PrivProto | None = None
    priv_key: SecretRef | None = None
    context: str = ""
    port: int = Field(default=161, ge=1, le=65535)
    timeout_s: float = Field(default=2.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=5)
    interval_s: float = Field(default=60.0, ge=5, le=86400)

    @field_validator("version", mode="before")
    @classmethod
    def _version(cls, v: object) -> object:
        return str(v) if isinstance(v, int | float) and not isinstance(v, bool) else v

    @model_validator(mode="after")
    def _complete(self) -> SnmpProfile:
        if self.version in ("1", "2c"):
            if self.community is None:
                raise Invalid("inventory.snmp_community", at="community", version=self.version)
        else:
            if not self.user:
                raise Invalid("inventory.snmp_user", at="user")
            if (self.auth_protocol is None) != (self.auth_key is None):
                raise Invalid("inventory.snmp_auth_pair", at="auth_key")
            if (self.priv_protocol is None) != (self.priv_key is None):
                raise Invalid("inventory.snmp_priv_pair", at="priv_key")
            if self.priv_protocol and not self.auth_protocol:
                raise Invalid("inventory.snmp_priv_needs_auth", at="auth_protocol")
        return self

    @property
    def security_level(self) -> str:
        if self.version != "3":
            return "community"
        if self.priv_protocol:
            return "authPriv"
        return "authNoPriv" if self.auth_protocol else "noAuthNoPriv"


class SshProfile(_Model):
    name: str
    username: str
    password: SecretRef | None = None
    key_file: str | None = None
    secret: SecretRef | None = None  # enable secret
    port: int = Field(default=22, ge=1, le=65535)
    timeout_s: float = Field(default=15.0, gt=0, le=300)
    device_type: str | None = None  # netmiko device_type override (cisco_ios, huawei, hp_comware, linux)

    @model_validator(mode="after")
    def _auth(self) -> SshProfile:
        if self.password is None and self.key_file is None:
            raise Invalid("inventory.ssh_password", at="password")
        return self


class Inventory(BaseModel):
    """The whole inventory, with the cross-references already checked by the loader."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    regions: dict[str, Region] = Field(default_factory=dict)
    facilities: dict[str, Facility] = Field(default_factory=dict)
    devices: dict[str, Device] = Field(default_factory=dict)
    snmp_profiles: dict[str, SnmpProfile] = Field(default_factory=dict)
    ssh_profiles: dict[str, SshProfile] = Field(default_factory=dict)
    base_dir: Path | None = None  # where relative secrets-file paths are taken from

    def region_name(self, code: str) -> str:
        r = self.regions.get(code)
        return r.name if r else code

    def device_tags(self, device: Device) -> dict[str, str]:
        """The tags every point about ``device`` carries (docs/architecture.md)."""
        fac = self.facilities[device.facility]
        province, city, county = region_chain(fac.county)
        return {
            "province": province,
            "city": city,
            "county": county,
            "facility": fac.id,
            "device": device.id,
            "kind": device.kind.value,
        }

    def county_of(self, device: Device) -> str:
        return self.facilities[device.facility].county

    def devices_in(self, scopes: Iterable[str] | None = None) -> list[Device]:
        """Enabled devices whose county lies in any of ``scopes`` (all when None)."""
        codes = list(scopes) if scopes is not None else None
        return [d for d in self.devices.values() if d.enabled and (codes is None or in_scope(self.county_of(d), codes))]

    def facilities_in(self, scope: str) -> list[Facility]:
        return [f for f in self.facilities.values() if f.county.startswith(scope)]

    def children(self, code: str) -> list[str]:
        """Codes of the regions directly under ``code`` ("" is the nation) that hold facilities or are declared."""
        width = len(code) + 2
        found = {c[:width] for c in (f.county for f in self.facilities.values()) if c.startswith(code)}
        found |= {c for c in self.regions if len(c) == width and c.startswith(code)}
        return sorted(found)
