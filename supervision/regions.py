"""Region codes as users type them: ``0``/``""`` is the nation, ``510000`` is ``51``."""

from __future__ import annotations

from inventory.models import REGION_CODE, Inventory
from supervision import FigureError

NATION_CODES = ("", "0", "00", "000000")


class UnknownRegion(FigureError):
    """A well-formed code the inventory does not know (404 in the API)."""


def normalise_region(code: str, inventory: Inventory) -> str:
    code = code.strip()
    if code in NATION_CODES:
        return ""
    if not REGION_CODE.match(code):
        raise FigureError("error.bad_region_code", code=code)
    # Trailing "00" pairs are the long form of the same region (510000 → 51).
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    known = code in inventory.regions or any(f.county.startswith(code) for f in inventory.facilities.values())
    if not known:
        raise UnknownRegion("error.not_found.region", code=code)
    return code


def level_tags(code: str) -> dict[str, str]:
    """The tag filter selecting a region's points (none for the nation)."""
    if not code:
        return {}
    return {{2: "province", 4: "city", 6: "county"}[len(code)]: code}
