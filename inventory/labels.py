"""Names of facility and device kinds in the request's language."""

from __future__ import annotations

from inventory.models import DEVICE_KIND_ZH, FACILITY_KIND_ZH, DeviceKind, FacilityKind
from pdcs.i18n import Lang

DEVICE_KIND_EN: dict[DeviceKind, str] = {
    DeviceKind.E_READING_TERMINAL: "e-reading terminal",
    DeviceKind.KIOSK: "all-in-one kiosk",
    DeviceKind.WIRELESS_AP: "wireless access point",
    DeviceKind.WIRELESS_CONTROLLER: "wireless controller",
    DeviceKind.SWITCH: "switch/router",
    DeviceKind.SERVER: "server",
}

FACILITY_KIND_EN: dict[FacilityKind, str] = {
    FacilityKind.PUBLIC_LIBRARY: "public library",
    FacilityKind.CULTURAL_CENTRE: "cultural centre",
    FacilityKind.TOWNSHIP_CENTRE: "township comprehensive cultural service centre",
    FacilityKind.E_READING_ROOM: "public e-reading room",
    FacilityKind.BORDER_STATION: "border digital-culture station",
    FacilityKind.NATIONAL_CENTRE: "national/provincial centre",
}


def device_kind_label(kind: str | DeviceKind, lang: Lang) -> str:
    k = DeviceKind(kind)
    return DEVICE_KIND_ZH[k] if lang == "zh" else DEVICE_KIND_EN[k]


def facility_kind_label(kind: str | FacilityKind, lang: Lang) -> str:
    k = FacilityKind(kind)
    return FACILITY_KIND_ZH[k] if lang == "zh" else FACILITY_KIND_EN[k]
