"""Every inventory problem's text, keyed by a stable code, in Simplified Chinese and English.

A problem carries a code and its parameters (``Problem.code``/``params``): our own
checks use ``inventory.*`` codes, pydantic's checks the error ``type`` it reports
(``pydantic.<type>`` here, its ``ctx`` as parameters), YAML limits the codes of
``pdcs.yaml_guard`` (``yaml.*``). The English text is the problem's ``message``
(logs, ``str(Problem)``); ``Problem.text(lang)`` looks the code up in the one
catalogue of ``pdcs.i18n``. A code without an entry shows its English message,
never nothing; ``tests/inventory/test_messages.py`` requires every problem the
broken files under ``tests/inventory/data`` produce to come out in Chinese.

Our own checks raise :class:`Invalid` (a ``ValueError``, so pydantic validators may
raise it and it reaches the loader intact in the error's context) or
:class:`Unresolved` (a ``LookupError``: a secret reference that does not resolve).
"""

from __future__ import annotations

from collections.abc import Mapping

from pdcs.i18n import Lang, register, text


class CodedError(Exception):
    """An error with a catalogue ``code`` and ``params``; ``str()`` is the English text."""

    def __init__(self, code: str, /, **params: object) -> None:
        self.code = code
        self.params = params
        at = params.get("at")
        super().__init__((f"{at}: " if at else "") + text(code, "en", **params))


class Invalid(CodedError, ValueError):
    """A value the inventory refuses. ``at`` (a param) names the field a model-level check blames:
    ``str()`` starts with it (``address: …``) and the loader points at that field instead."""


class Unresolved(CodedError, LookupError):
    """A secret reference that does not resolve (the message names the reference, never a value)."""


_SECTION_NOUN = {  # (en, zh) of the id each section's records are known by
    "regions": ("region code", "行政区划代码"),
    "facilities": ("facility id", "场馆编号"),
    "devices": ("device id", "设备编号"),
    "snmp_profiles": ("SNMP profile name", "SNMP 凭据名"),
    "ssh_profiles": ("SSH profile name", "SSH 凭据名"),
}
_REFERENCE_NOUN = {  # (en, zh) of what a device's reference names
    "facility": ("facility", "场馆"),
    "snmp_profile": ("SNMP profile", "SNMP 凭据"),
    "ssh_profile": ("SSH profile", "SSH 凭据"),
}
_REGISTER_NOUN = {"facilities": "场馆", "devices": "设备"}

TEXTS: dict[str, tuple[str, str]] = {
    # inventory/loaders/validate.py and the models' own checks
    "inventory.unknown_field": ("未知字段", "unknown field"),
    "inventory.unknown_field_allowed": ("未知字段；可用字段：{allowed}", "unknown field; allowed: {allowed}"),
    "inventory.inline_secret": (
        "密钥不得写在清单中：请写 {{env: 环境变量名}} 或 {{file: secrets.yaml, key: 名称}}",
        "secrets must not be written in the inventory: give {{env: VARIABLE}} or {{file: secrets.yaml, key: NAME}}",
    ),
    "inventory.weekday_twice": ("同一天写了两次", "weekday given twice"),
    "inventory.weekday_unknown": (
        "无法识别的星期（用 mon…sun 或 周一…周日）",
        "unknown weekday (use mon, tue, wed, thu, fri, sat, sun)",
    ),
    "inventory.region_code": (
        "应为 GB/T 2260 行政区划代码：2 位（省）、4 位（市）或 6 位（县）",
        "must be a GB/T 2260 code of 2 (province), 4 (city) or 6 (county) digits",
    ),
    "inventory.region_short": (
        "不能以 00 结尾：请写短代码（51、5101、510124）",
        "must not end in 00: give the short code (51, 5101, 510124)",
    ),
    "inventory.region_parent": (
        "{parent!r} 不包含 {code!r}；按 GB/T 2260，它的上级是 {expected!r}",
        "{parent!r} does not contain {code!r}; a GB/T 2260 code sits under {expected!r}",
    ),
    "inventory.province_parent": ("省级区划没有上级（写的是 {parent!r}）", "a province has no parent (got {parent!r})"),
    "inventory.span_format": ("开放时段 {span!r} 应写成 HH:MM-HH:MM", "opening span {span!r} is not HH:MM-HH:MM"),
    "inventory.span_time": ("开放时段 {span!r} 中有不存在的时间", "opening span {span!r} has an impossible time"),
    "inventory.span_order": ("开放时段 {span!r} 的结束早于开始", "opening span {span!r} ends before it starts"),
    "inventory.span_overlap": ("开放时段 {a} 与 {b} 重叠", "opening spans {a} and {b} overlap"),
    "inventory.county_code": ("应为 6 位 GB/T 2260 县级代码", "must be a 6-digit GB/T 2260 county code"),
    "inventory.timezone": (
        "无法识别的时区 {zone!r}（用 IANA 名称，如 Asia/Shanghai）",
        "unknown time zone {zone!r} (use an IANA name such as Asia/Shanghai)",
    ),
    "inventory.url": ("应为 http:// 或 https:// 开头的网址", "must be an http:// or https:// URL"),
    "inventory.needs_address": (
        "配置了 SNMP 或 SSH 凭据的设备需要管理地址",
        "a device with an SNMP or SSH profile needs a management address",
    ),
    "inventory.secret_one_source": (
        "env: 环境变量名 与 file: 路径（带 key:）只能写一个",
        "give exactly one of env: VARIABLE or file: PATH (with key:)",
    ),
    "inventory.secret_key": ("引用密钥文件时要写 key:", "a secrets file reference needs key:"),
    "inventory.snmp_community": (
        "SNMP v{version} 需要团体名（community）引用",
        "SNMP v{version} needs a community reference",
    ),
    "inventory.snmp_user": ("SNMPv3 需要用户名", "SNMPv3 needs a user name"),
    "inventory.snmp_auth_pair": ("auth_protocol 与 auth_key 要一起写", "give auth_protocol and auth_key together"),
    "inventory.snmp_priv_pair": ("priv_protocol 与 priv_key 要一起写", "give priv_protocol and priv_key together"),
    "inventory.snmp_priv_needs_auth": ("加密（authPriv）也需要认证", "privacy (authPriv) needs authentication too"),
    "inventory.ssh_password": ("请写密码引用或 key_file", "give a password reference or a key_file"),
    "inventory.env_unset": ("环境变量 {name} 未设置", "environment variable {name} is not set"),
    "inventory.secrets_unreadable": (
        "密钥文件 {path} 无法读取：{error}",
        "secrets file {path} cannot be read: {error}",
    ),
    "inventory.secrets_yaml": (
        "密钥文件 {path} 不是有效的 YAML（或超出 YAML 的限制）",
        "secrets file {path} is not valid YAML (or exceeds the YAML limits)",
    ),
    "inventory.secrets_no_key": ("密钥文件 {path} 中没有键 {key!r}", "secrets file {path} has no key {key!r}"),
    # pydantic's own checks, by error type (its ctx as parameters)
    "pydantic.missing": ("缺少必填字段", "Field required"),
    "pydantic.string_type": ("应为文本", "Input should be a valid string"),
    "pydantic.int_type": ("应为整数", "Input should be a valid integer"),
    "pydantic.int_parsing": ("应为整数", "Input should be a valid integer, unable to parse string as an integer"),
    "pydantic.int_from_float": ("应为整数", "Input should be a valid integer, got a number with a fractional part"),
    "pydantic.float_type": ("应为数字", "Input should be a valid number"),
    "pydantic.float_parsing": ("应为数字", "Input should be a valid number, unable to parse string as a number"),
    "pydantic.bool_type": ("应为是/否（true/false）", "Input should be a valid boolean"),
    "pydantic.bool_parsing": ("应为是/否（true/false）", "Input should be a valid boolean, unable to interpret input"),
    "pydantic.dict_type": ("应为“字段: 值”形式的对象", "Input should be a valid dictionary"),
    "pydantic.model_type": ("应为“字段: 值”形式的对象", "Input should be a valid dictionary or instance"),
    "pydantic.model_attributes_type": ("应为“字段: 值”形式的对象", "Input should be a valid dictionary or object"),
    "pydantic.list_type": ("应为列表", "Input should be a valid list"),
    "pydantic.tuple_type": ("应为列表", "Input should be a valid tuple"),
    "pydantic.greater_than_equal": ("应大于或等于 {ge}", "Input should be greater than or equal to {ge}"),
    "pydantic.greater_than": ("应大于 {gt}", "Input should be greater than {gt}"),
    "pydantic.less_than_equal": ("应小于或等于 {le}", "Input should be less than or equal to {le}"),
    "pydantic.less_than": ("应小于 {lt}", "Input should be less than {lt}"),
    "pydantic.string_too_short": ("至少 {min_length} 个字符", "String should have at least {min_length} characters"),
    "pydantic.string_too_long": ("最多 {max_length} 个字符", "String should have at most {max_length} characters"),
    "pydantic.string_pattern_mismatch": ("应符合格式 '{pattern}'", "String should match pattern '{pattern}'"),
    "pydantic.enum": ("应为 {choices} 之一", "Input should be {expected}"),
    "pydantic.literal_error": ("应为 {choices} 之一", "Input should be {expected}"),
    "pydantic.enum.kind": (
        "应为 {choices} 之一（或中文名称：{names}）",
        "Input should be {expected} (or the Chinese names: {names})",
    ),
    # inventory/loaders/crosscheck.py
    "inventory.county_not_declared": (
        "县 {county!r} 未在 {city_name}（{city}）下声明；该市下已声明的县：{counties}",
        "county {county!r} is not declared under {city_name} ({city}); declared counties there: {counties}",
    ),
    "inventory.county_not_declared.none": (
        "县 {county!r} 未在 {city_name}（{city}）下声明；该市下没有声明任何县",
        "county {county!r} is not declared under {city_name} ({city}); no counties are declared there",
    ),
    # inventory/loaders/csv_source.py and xlsx_source.py (registers)
    "inventory.csv_unreadable": ("无法按 CSV 读取：{error}", "cannot be read as CSV: {error}"),
    "inventory.register_type": (
        "无法判断登记表类型：场馆登记表要有 county（所属县）列，设备登记表要有 facility（所属场馆）列",
        "cannot tell the register's type: a facilities register has a 'county' column, "
        "a devices register a 'facility' column",
    ),
    "inventory.column_twice": ("列 {column!r} 出现了不止一次", "column {column!r} appears more than once"),
    "inventory.row_cells": (
        "这一行有 {cells} 个单元格，表头只有 {columns} 列",
        "row has {cells} cells but the header has {columns} columns",
    ),
    "inventory.too_many_rows": (
        "超过 {limit} 行，已拒绝（上限 {variable}）",
        "more than {limit} rows (limit {variable})",
    ),
    "inventory.not_text": (
        "不是 UTF-8、GB18030/GBK 或 UTF-16 编码的文本：请重新另存为 CSV（UTF-8 或默认编码）",
        "not text in UTF-8, GB18030/GBK or UTF-16; save it again as CSV (UTF-8 or the default)",
    ),
    "inventory.not_xlsx": (
        "不是 Excel 工作簿（.xlsx）：请用 Excel/WPS 重新保存",
        "not an Excel workbook (.xlsx); save it again from Excel/WPS",
    ),
    "inventory.xlsx_too_large": (
        "解压后超过 {limit} 字节，已拒绝（上限 {variable}）",
        "unpacks to more than {limit} bytes (limit {variable})",
    ),
    "inventory.xls": (
        "这是 Excel 97-2003 工作簿（.xls）：请另存为 .xlsx（Excel/WPS：另存为“Excel 工作簿”）",
        "an Excel 97-2003 workbook (.xls): save it as .xlsx (Excel/WPS: 另存为 Excel 工作簿)",
    ),
    "inventory.xlsx_unreadable": ("无法按工作簿读取：{error}", "cannot be read as a workbook: {error}"),
    # inventory/loaders/yaml_source.py
    "inventory.field_twice": ("字段写了两次（第一次在第 {first} 行）", "field given twice (first at line {first})"),
    "inventory.file_too_large": (
        "文件超过 {limit} 字节，已拒绝（上限 {variable}）",
        "larger than {limit} bytes (limit {variable})",
    ),
    "inventory.unreadable": ("无法读取：{error}", "cannot be read: {error}"),
    "inventory.not_utf8": (
        "不是 UTF-8 编码：请另存为 UTF-8（Excel/WPS 中选“CSV UTF-8”）",
        "not UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel/WPS)",
    ),
    "inventory.not_yaml": ("不是有效的 YAML：{error}", "not valid YAML: {error}"),
    "inventory.not_sections": ("文件应由各节组成（{allowed}）", "the file must be a mapping of sections ({allowed})"),
    "inventory.unknown_section": ("未知的节；可用：{allowed}", "unknown section; allowed: {allowed}"),
    "inventory.section_twice": (
        "本文件中这一节写了两次（第一次在第 {first} 行）",
        "section given twice in this file (first at line {first})",
    ),
    "inventory.not_list": ("应为对象列表（每项以“- ”开头）", "must be a list of objects (items starting with '- ')"),
    "inventory.not_object": ("应为“字段: 值”形式的对象", "must be an object of field: value"),
    "inventory.value_unreadable": ("无法读取值：{error}", "cannot read value: {error}"),
    # pdcs/yaml_guard.py limits, as the loader words them
    "yaml.too_large": (
        "已拒绝：文档超过 {limit} 字节（上限 {variable}）",
        "refused: document larger than {limit} bytes (limit {variable})",
    ),
    "yaml.too_many_aliases": (
        "已拒绝：别名（alias）超过 {limit} 个（上限 {variable}）",
        "refused: more than {limit} aliases (limit {variable})",
    ),
    "yaml.alias_bomb": (
        "已拒绝：别名展开后将超过 {limit} 个额外节点（别名炸弹，上限 {variable}）",
        "refused: aliases would expand to more than {limit} extra nodes (an alias bomb; limit {variable})",
    ),
    "yaml.too_deep": (
        "已拒绝：嵌套超过 {limit} 层（上限 {variable}）",
        "refused: nested deeper than {limit} levels (limit {variable})",
    ),
    "yaml.recursive": (
        "已拒绝：别名引用了包含它自身的节点（递归别名）",
        "refused: an alias refers to the node that contains it",
    ),
    # supervision_api/inventory_upload.py (uploads through the API)
    "inventory.not_inventory_file": (
        "不是清单文件：请上传 .yaml、.yml、.csv 或 .xlsx 文件",
        "not an inventory file: upload .yaml, .yml, .csv or .xlsx",
    ),
    "inventory.admin_only_profiles": ("只有管理员可以修改凭据", "only administrators may change credential profiles"),
    "inventory.outside_scope": ("超出您的权限范围（{scope}）", "outside your scope ({scope})"),
    "inventory.outside_scope.nation": ("超出您的权限范围（全国）", "outside your scope (nation)"),
}
# What `pdcs inventory` and InventoryError print around the problems, and the summary of a good inventory
TEXTS |= {
    "inventory.problems": ("清单有 {n} 处问题：", "inventory has {n} problem(s):"),
    "inventory.problems.more": ("……另有 {more} 处", "… and {more} more"),
    "inventory.problems_found": ("发现 {n} 个问题。", "{n} problem(s) found."),
    "inventory.no_path": ("路径不存在：{path}", "path does not exist: {path}"),
    "inventory.written": ("已写出", "written"),
    "inventory.summary.ok": ("{path}：没有发现问题。", "{path}: no problems found."),
    "inventory.summary.totals": (
        "场馆 {f} 个，设备 {d} 台，SNMP 凭据 {s} 个，SSH 凭据 {h} 个。",
        "facilities: {f}, devices: {d}, SNMP profiles: {s}, SSH profiles: {h}.",
    ),
    "inventory.summary.provinces": ("按省份", "By province"),
    "inventory.summary.counties": ("按区县", "By county"),
    "inventory.summary.facility_kinds": ("按场馆类型", "By facility kind"),
    "inventory.summary.device_kinds": ("按设备类型", "By device kind"),
    "inventory.summary.region_row": ("场馆 {f:>4}  设备 {d:>5}", "facilities {f:>4}  devices {d:>5}"),
    "inventory.summary.registers": ("登记表", "Registers"),
    "inventory.summary.csv": ("CSV，{enc} 编码，{n} 行", "CSV, {enc}, {n} rows"),
    "inventory.summary.xlsx": ("Excel 工作簿，工作表 {sheets}，{n} 行", "Excel workbook, sheets {sheets}, {n} rows"),
    "inventory.summary.sep": ("、", ", "),
}
for _section, (_en, _zh) in _SECTION_NOUN.items():
    TEXTS[f"inventory.duplicate.{_section}"] = (
        f"{_zh} {{id!r}} 重复；首次定义于 {{where}}",
        f"duplicate {_en} {{id!r}}; first defined at {{where}}",
    )
for _attr, (_en, _zh) in _REFERENCE_NOUN.items():
    TEXTS[f"inventory.unknown.{_attr}.close"] = (
        f"未定义的{_zh} {{name!r}}；是否应为 {{close!r}}？",
        f"unknown {_en} {{name!r}}; did you mean {{close!r}}?",
    )
    TEXTS[f"inventory.unknown.{_attr}.known"] = (
        f"未定义的{_zh} {{name!r}}；已定义：{{known}}",
        f"unknown {_en} {{name!r}}; known: {{known}}",
    )
    TEXTS[f"inventory.unknown.{_attr}.none"] = (
        f"未定义的{_zh} {{name!r}}；尚未定义任何{_zh}",
        f"unknown {_en} {{name!r}}; no {_en} is defined",
    )
for _section, _zh in _REGISTER_NOUN.items():
    TEXTS[f"inventory.unknown_column.{_section}"] = (
        f"{_zh}登记表中有未知列 {{column!r}}；可用列：{{allowed}}"
        + ("，或用 attr.名称 表示场馆属性" if _section == "facilities" else ""),
        f"unknown column {{column!r}} in a {_section} register; allowed: {{allowed}}"
        + (", or attr.NAME for attributes" if _section == "facilities" else ""),
    )
    TEXTS[f"inventory.missing_column.{_section}"] = (
        f"{_zh}登记表缺少 {{column!r}} 列",
        f"missing column {{column!r}} for a {_section} register",
    )
register(TEXTS)


def choices_zh(expected: str) -> str:
    """pydantic's ``'a', 'b' or 'c'`` as a Chinese list: ``'a'、'b'、'c'``."""
    return expected.replace("' or '", "'、'").replace("', '", "'、'")


def render(code: str, params: Mapping[str, object], lang: Lang) -> str | None:
    """The text of ``code`` in ``lang``, or None when the catalogue has no entry for it."""
    found = text(code, lang, **params)
    return None if found == code else found
