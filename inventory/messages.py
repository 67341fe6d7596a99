"""Inventory problems in Simplified Chinese: the loader's English messages, matched whole and reworded.

The checks write one English message each (kept in logs and ``str(Problem)``);
county IT staff editing a register read them through :func:`localise`.  A
message no pattern matches is shown as it is, never dropped; a test loads every
broken file under ``tests/inventory/data`` and requires each message translated.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NOUN = {
    "region code": "行政区划代码",
    "facility id": "场馆编号",
    "device id": "设备编号",
    "SNMP profile name": "SNMP 凭据名",
    "SSH profile name": "SSH 凭据名",
    "facility": "场馆",
    "SNMP profile": "SNMP 凭据",
    "SSH profile": "SSH 凭据",
    "facilities": "场馆",
    "devices": "设备",
}

Rewrite = str | Callable[[re.Match[str]], str]


def _unknown_ref(m: re.Match[str]) -> str:
    what, name, hint = _NOUN[m["what"]], m["name"], m["hint"] or ""
    if close := re.fullmatch(r"; did you mean (.+)\?", hint):
        return f"未定义的{what} {name}；是否应为 {close[1]}？"
    if known := re.fullmatch(r"; known: (.+)", hint):
        return f"未定义的{what} {name}；已定义：{known[1]}"
    return f"未定义的{what} {name}；尚未定义任何{what}"


def _county_not_declared(m: re.Match[str]) -> str:
    rest = m["rest"]
    listing = "该市下没有声明任何县" if rest == "no counties are declared there" else rest
    listing = listing.replace("declared counties there: ", "该市下已声明的县：")
    return f"县 {m['county']} 未在 {m['city_name']}（{m['city']}）下声明；{listing}"


def _unknown_column(m: re.Match[str]) -> str:
    extra = "，或用 attr.名称 表示场馆属性" if m["extra"] else ""
    return f"{_NOUN[m['section']]}登记表中有未知列 {m['col']}；可用列：{m['allowed']}{extra}"


def _options(m: re.Match[str]) -> str:
    listed = m["o"].replace("' or '", "'、'").replace("', '", "'、'")
    return f"应为 {listed} 之一" + (f"（或中文名称：{m['zh']}）" if m["zh"] else "")


# (English message as a full-match pattern, Chinese text). Order matters only where patterns overlap.
CATALOGUE: list[tuple[str, Rewrite]] = [
    # inventory/loaders/validate.py and the models' own checks
    (r"unknown field; allowed: (?P<a>.+)", "未知字段；可用字段：{a}"),
    (r"unknown field", "未知字段"),
    (
        r"secrets must not be written in the inventory: give \{env: VARIABLE\} or \{file: secrets\.yaml, key: NAME\}",
        "密钥不得写在清单中：请写 {{env: 环境变量名}} 或 {{file: secrets.yaml, key: 名称}}",
    ),
    (r"weekday given twice", "同一天写了两次"),
    (r"unknown weekday \(use mon, tue, wed, thu, fri, sat, sun\)", "无法识别的星期（用 mon…sun 或 周一…周日）"),
    (
        r"must be a GB/T 2260 code of 2 \(province\), 4 \(city\) or 6 \(county\) digits",
        "应为 GB/T 2260 行政区划代码：2 位（省）、4 位（市）或 6 位（县）",
    ),
    (r"must not end in 00: give the short code \(51, 5101, 510124\)", "不能以 00 结尾：请写短代码（51、5101、510124）"),
    (
        r"(?P<p>'.*') does not contain (?P<c>'.*'); a GB/T 2260 code sits under (?P<e>'.*')",
        "{p} 不包含 {c}；按 GB/T 2260，它的上级是 {e}",
    ),
    (r"a province has no parent \(got (?P<p>.*)\)", "省级区划没有上级（写的是 {p}）"),
    (r"opening span (?P<t>.+) is not HH:MM-HH:MM", "开放时段 {t} 应写成 HH:MM-HH:MM"),
    (r"opening span (?P<t>.+) has an impossible time", "开放时段 {t} 中有不存在的时间"),
    (r"opening span (?P<t>.+) ends before it starts", "开放时段 {t} 的结束早于开始"),
    (r"opening spans (?P<a>.+) and (?P<b>.+) overlap", "开放时段 {a} 与 {b} 重叠"),
    (r"must be a 6-digit GB/T 2260 county code", "应为 6 位 GB/T 2260 县级代码"),
    (
        r"unknown time zone (?P<z>.+) \(use an IANA name such as Asia/Shanghai\)",
        "无法识别的时区 {z}（用 IANA 名称，如 Asia/Shanghai）",
    ),
    (r"must be an http:// or https:// URL", "应为 http:// 或 https:// 开头的网址"),
    (r"a device with an SNMP or SSH profile needs a management address", "配置了 SNMP 或 SSH 凭据的设备需要管理地址"),
    (
        r"give exactly one of env: VARIABLE or file: PATH \(with key:\)",
        "env: 环境变量名 与 file: 路径（带 key:）只能写一个",
    ),
    (r"a secrets file reference needs key:", "引用密钥文件时要写 key:"),
    (r"SNMP v(?P<v>\S+) needs a community reference", "SNMP v{v} 需要团体名（community）引用"),
    (r"SNMPv3 needs a user name", "SNMPv3 需要用户名"),
    (r"give auth_protocol and auth_key together", "auth_protocol 与 auth_key 要一起写"),
    (r"give priv_protocol and priv_key together", "priv_protocol 与 priv_key 要一起写"),
    (r"privacy \(authPriv\) needs authentication too", "加密（authPriv）也需要认证"),
    (r"give a password reference or a key_file", "请写密码引用或 key_file"),
    (r"environment variable (?P<v>\S+) is not set", "环境变量 {v} 未设置"),
    (r"secrets file (?P<p>.+) cannot be read: (?P<e>.+)", "密钥文件 {p} 无法读取：{e}"),
    (r"secrets file (?P<p>.+) has no key (?P<k>.+)", "密钥文件 {p} 中没有键 {k}"),
    # pydantic's own messages
    (r"Field required", "缺少必填字段"),
    (r"Input should be a valid string", "应为文本"),
    (r"Input should be a valid integer.*", "应为整数"),
    (r"Input should be a valid number.*", "应为数字"),
    (r"Input should be a valid boolean.*", "应为是/否（true/false）"),
    (r"Input should be a valid dictionary.*", "应为“字段: 值”形式的对象"),
    (r"Input should be a valid list.*", "应为列表"),
    (r"Input should be greater than or equal to (?P<n>.+)", "应大于或等于 {n}"),
    (r"Input should be greater than (?P<n>.+)", "应大于 {n}"),
    (r"Input should be less than or equal to (?P<n>.+)", "应小于或等于 {n}"),
    (r"Input should be less than (?P<n>.+)", "应小于 {n}"),
    (r"String should have at least (?P<n>\d+) characters?", "至少 {n} 个字符"),
    (r"String should have at most (?P<n>\d+) characters?", "最多 {n} 个字符"),
    (r"String should match pattern (?P<p>.+)", "应符合格式 {p}"),
    (r"Input should be (?P<o>'.+?')(?: \(or the Chinese names: (?P<zh>.+)\))?", _options),
    # inventory/loaders/crosscheck.py
    (
        r"duplicate (?P<noun>.+?) (?P<id>'.*'); first defined at (?P<where>.+)",
        lambda m: f"{_NOUN.get(m['noun'], m['noun'])} {m['id']} 重复；首次定义于 {m['where']}",
    ),
    (r"unknown (?P<what>facility|SNMP profile|SSH profile) (?P<name>'.*?')(?P<hint>;.*)?", _unknown_ref),
    (
        r"county (?P<county>'.*') is not declared under (?P<city_name>.+) \((?P<city>\d+)\); (?P<rest>.+)",
        _county_not_declared,
    ),
    # inventory/loaders/csv_source.py
    (r"cannot be read as CSV: (?P<e>.+)", "无法按 CSV 读取：{e}"),
    (
        r"cannot tell the register's type: .*",
        "无法判断登记表类型：场馆登记表要有 county（所属县）列，设备登记表要有 facility（所属场馆）列",
    ),
    (
        r"unknown column (?P<col>'.*') in a (?P<section>facilities|devices) register; allowed: "
        r"(?P<allowed>.+?)(?P<extra>, or attr\.NAME for attributes)?",
        _unknown_column,
    ),
    (r"column (?P<c>'.*') appears more than once", "列 {c} 出现了不止一次"),
    (
        r"missing column (?P<c>'.*') for a (?P<section>facilities|devices) register",
        lambda m: f"{_NOUN[m['section']]}登记表缺少 {m['c']} 列",
    ),
    (r"row has (?P<n>\d+) cells but the header has (?P<m>\d+) columns", "这一行有 {n} 个单元格，表头只有 {m} 列"),
    (
        r"not text in UTF-8, GB18030/GBK or UTF-16; save it again as CSV \(UTF-8 or the default\)",
        "不是 UTF-8、GB18030/GBK 或 UTF-16 编码的文本：请重新另存为 CSV（UTF-8 或默认编码）",
    ),
    # inventory/loaders/xlsx_source.py
    (
        r"not an Excel workbook \(\.xlsx\); save it again from Excel/WPS",
        "不是 Excel 工作簿（.xlsx）：请用 Excel/WPS 重新保存",
    ),
    (
        r"unpacks to more than (?P<n>\d+) bytes \(limit (?P<v>\w+)\)",
        "解压后超过 {n} 字节，已拒绝（上限 {v}）",
    ),
    (r"cannot be read as a workbook: (?P<e>.+)", "无法按工作簿读取：{e}"),
    (
        r"an Excel 97-2003 workbook \(\.xls\): save it as \.xlsx \(Excel/WPS: 另存为 Excel 工作簿\)",
        "这是 Excel 97-2003 工作簿（.xls）：请另存为 .xlsx（Excel/WPS：另存为“Excel 工作簿”）",
    ),
    # inventory/loaders/yaml_source.py
    (r"field given twice \(first at line (?P<n>\d+)\)", "字段写了两次（第一次在第 {n} 行）"),
    (
        r"not UTF-8; save the file as UTF-8 \(CSV UTF-8 in Excel/WPS\)",
        "不是 UTF-8 编码：请另存为 UTF-8（Excel/WPS 中选“CSV UTF-8”）",
    ),
    (r"cannot be read: (?P<e>.+)", "无法读取：{e}"),
    (r"not valid YAML: (?P<e>.+)", "不是有效的 YAML：{e}"),
    # pdcs/yaml_guard.py limits (and the file-size limit of read_text)
    (r"larger than (?P<n>\d+) bytes \(limit (?P<v>\w+)\)", "文件超过 {n} 字节，已拒绝（上限 {v}）"),
    (r"refused: document larger than (?P<n>\d+) bytes \(limit (?P<v>\w+)\)", "已拒绝：文档超过 {n} 字节（上限 {v}）"),
    (r"refused: more than (?P<n>\d+) aliases \(limit (?P<v>\w+)\)", "已拒绝：别名（alias）超过 {n} 个（上限 {v}）"),
    (
        r"refused: aliases would expand to more than (?P<n>\d+) extra nodes \(an alias bomb; limit (?P<v>\w+)\)",
        "已拒绝：别名展开后将超过 {n} 个额外节点（别名炸弹，上限 {v}）",
    ),
    (r"refused: nested deeper than (?P<n>\d+) levels \(limit (?P<v>\w+)\)", "已拒绝：嵌套超过 {n} 层（上限 {v}）"),
    (r"refused: an alias refers to the node that contains it", "已拒绝：别名引用了包含它自身的节点（递归别名）"),
    (r"more than (?P<n>\d+) rows \(limit (?P<v>\w+)\)", "超过 {n} 行，已拒绝（上限 {v}）"),
    (r"the file must be a mapping of sections \((?P<a>.+)\)", "文件应由各节组成（{a}）"),
    (r"unknown section; allowed: (?P<a>.+)", "未知的节；可用：{a}"),
    (r"section given twice in this file \(first at line (?P<n>\d+)\)", "本文件中这一节写了两次（第一次在第 {n} 行）"),
    (r"must be a list of objects \(items starting with '- '\)", "应为对象列表（每项以“- ”开头）"),
    (r"must be an object of field: value", "应为“字段: 值”形式的对象"),
    (r"cannot read value: (?P<e>.+)", "无法读取值：{e}"),
    # supervision_api/inventory_upload.py (uploads through the API)
    (
        r"not an inventory file: upload \.yaml, \.yml, \.csv or \.xlsx",
        "不是清单文件：请上传 .yaml、.yml、.csv 或 .xlsx 文件",
    ),
    (r"only administrators may change credential profiles", "只有管理员可以修改凭据"),
    (r"outside your scope \((?P<s>.+)\)", lambda m: f"超出您的权限范围（{'全国' if m['s'] == 'nation' else m['s']}）"),
]

_COMPILED = [(re.compile(pattern, re.S), rewrite) for pattern, rewrite in CATALOGUE]


def localise(message: str, lang: str = "zh") -> str:
    """``message`` in ``lang`` (``zh`` or ``en``); unknown messages are returned unchanged."""
    if lang != "zh":
        return message
    for pattern, rewrite in _COMPILED:
        if m := pattern.fullmatch(message):
            return rewrite(m) if callable(rewrite) else rewrite.format(**m.groupdict(default=""))
    return message
