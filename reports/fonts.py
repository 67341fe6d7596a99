"""A real CJK font for the PDF: Noto Sans CJK SC, subset to the report's characters and converted to TrueType.

reportlab embeds TrueType (glyf) fonts only, and Debian's ``fonts-noto-cjk``
ships CFF-flavoured OpenType collections.  So we subset the SC face of the
collection to the characters a report uses (a few hundred glyphs, ~0.5 s),
convert its cubic CFF outlines to quadratic TrueType outlines (fontTools'
cu2qu), and register the result with reportlab, which embeds it (subset again)
in the PDF.  No CID fallback: without the font file we fail with a clear error.
"""

from __future__ import annotations

import hashlib
import io
import string
from pathlib import Path

NOTO_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"))
FACES = {"regular": "NotoSansCJK-Regular.ttc", "bold": "NotoSansCJK-Bold.ttc"}
SC_INDEX_NAME = "Noto Sans CJK SC"
BASE_CHARS = string.printable + "，。：；、（）《》“”—…％·①②③④⑤一二三四五六七八九十第页共"

_registered: dict[tuple[str, str], str] = {}


class FontMissing(RuntimeError):
    pass


def font_file(face: str) -> Path:
    for d in NOTO_DIRS:
        p = d / FACES[face]
        if p.exists():
            return p
    raise FontMissing(
        f"{FACES[face]} not found in {', '.join(map(str, NOTO_DIRS))}: install the Debian package fonts-noto-cjk"
    )


def _sc_number(path: Path) -> int:
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(path), lazy=True)
    for i, f in enumerate(coll.fonts):
        if f["name"].getDebugName(1) == SC_INDEX_NAME:
            return i
    raise FontMissing(f"{path} has no {SC_INDEX_NAME} face")


def truetype_subset(face: str, text: str, ps_name: str | None = None) -> bytes:
    """TrueType bytes of the SC face holding the glyphs of ``text`` (plus ASCII and common punctuation).

    ``ps_name`` renames the subset (name IDs 1, 4 and 6): reportlab keeps one face per internal font name,
    so two subsets both called NotoSansCJKsc-Regular would share the first one's glyphs, and a later PDF
    of the same process would show boxes for every character only it uses (a name, a new label)."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont, newTable

    path = font_file(face)
    font = TTFont(str(path), fontNumber=_sc_number(path))
    opts = subset.Options()
    opts.layout_features = []
    opts.hinting = False
    opts.desubroutinize = True
    opts.notdef_outline = True
    opts.name_IDs = ["*"]
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(set(text + BASE_CHARS))))
    sub.subset(font)

    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].glyphDataFormat = 0
    font["head"].indexToLocFormat = 0
    font["post"].formatType = 3.0
    font.sfntVersion = "\x00\x01\x00\x00"
    if ps_name:
        names = font["name"]
        for name_id in (1, 4, 6):
            names.setName(ps_name, name_id, 3, 1, 0x409)
            names.setName(ps_name, name_id, 1, 0, 0)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def register(text: str) -> tuple[str, str]:
    """Register regular and bold CJK fonts covering ``text`` with reportlab; their names."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont as RLTTFont

    digest = hashlib.sha256("".join(sorted(set(text))).encode()).hexdigest()[:10]
    names = []
    for face in ("regular", "bold"):
        key = (face, digest)
        if key not in _registered:
            name = f"NotoSansSC-{face}-{digest}"
            pdfmetrics.registerFont(RLTTFont(name, io.BytesIO(truetype_subset(face, text, name))))
            _registered[key] = name
        names.append(_registered[key])
    return names[0], names[1]
