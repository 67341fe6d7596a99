"""The text of a CSV register in whatever encoding Excel, WPS or a script saved it.

Chinese Windows saves "CSV (逗号分隔)" in the ANSI code page, CP936 — GBK — whose
superset GB18030 (GB 18030-2022, mandatory for software sold in China) is what we
decode; "CSV UTF-8" adds a BOM; "Unicode 文本" and some exports are UTF-16.  The
order of the guesses matters:

1. a byte-order mark decides (UTF-8, UTF-16 LE/BE);
2. UTF-16 without a mark shows as NUL bytes in every other position (text of this
   kind is mostly ASCII: digits, codes, punctuation);
3. strict UTF-8: a GBK file of Chinese text is practically never valid UTF-8
   (its lead bytes 0x81-0xFE are followed by bytes UTF-8 forbids), so success means UTF-8;
4. strict GB18030.

Anything else is refused with the line of the first byte that fits none of them.
"""

from __future__ import annotations

import codecs
from typing import NamedTuple

UTF8 = "UTF-8"
UTF8_BOM = "UTF-8 (BOM)"
UTF16LE = "UTF-16 LE"
UTF16BE = "UTF-16 BE"
GB18030 = "GB18030/GBK"

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig", UTF8_BOM),
    (codecs.BOM_UTF16_LE, "utf-16", UTF16LE),
    (codecs.BOM_UTF16_BE, "utf-16", UTF16BE),
)


class Decoded(NamedTuple):
    text: str
    encoding: str  # one of the labels above, as the summary states it


class UndecodableError(ValueError):
    """Not text in any encoding a register comes in; ``line`` is where the first bad byte sits."""

    def __init__(self, line: int) -> None:
        super().__init__(f"cannot be decoded at line {line}")
        self.line = line


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > len(odd) * 0.3 and even.count(0) < len(even) * 0.05:
        return "utf-16-le"
    if even.count(0) > len(even) * 0.3 and odd.count(0) < len(odd) * 0.05:
        return "utf-16-be"
    return None


def decode(data: bytes) -> Decoded:
    """The text of ``data`` and the encoding found; :class:`UndecodableError` when none fits."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), label)
            except UnicodeDecodeError as exc:
                raise UndecodableError(_line_at(data, exc.start, codec)) from None
    codec16 = _utf16_without_bom(data)
    if codec16:
        try:
            return Decoded(data.decode(codec16), UTF16LE if codec16 == "utf-16-le" else UTF16BE)
        except UnicodeDecodeError as exc:
            raise UndecodableError(_line_at(data, exc.start, codec16)) from None
    try:
        return Decoded(data.decode("utf-8"), UTF8)
    except UnicodeDecodeError as utf8_error:
        try:
            return Decoded(data.decode("gb18030"), GB18030)
        except UnicodeDecodeError:
            raise UndecodableError(data[: utf8_error.start].count(b"\n") + 1) from None


def _line_at(data: bytes, offset: int, codec: str) -> int:
    if codec.startswith("utf-16"):
        unit = b"\n\x00" if codec != "utf-16-be" and not data.startswith(codecs.BOM_UTF16_BE) else b"\x00\n"
        return data[:offset].count(unit) + 1
    return data[:offset].count(b"\n") + 1
