"""Dependencies by alias (``InfluxDep``, ``InventoryDep`` …) for route signatures.

Every route reaches a region, facility or device through ONE function per
resource — :func:`scoped_region`, :func:`get_facility`, :func:`get_device` —
so that access control (region scopes) is added in one place for all routes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool

from inventory.models import Device, Facility, Inventory
from pdcs.i18n import Lang
from pdcs.storage import InfluxDB
from supervision import FigureError, periods
from supervision.maintenance import MaintenanceSchedule
from supervision.recent_polls import PollFetch, RecentPolls
from supervision.regions import NATION_CODES, UnknownRegion, normalise_region
from supervision_api.access.auth import CurrentUser, require_scope
from supervision_api.db.users import Principal
from supervision_api.errors import ApiError, request_lang
from supervision_api.state import AppState


async def get_lang(request: Request) -> Lang:
    return request_lang(request)


async def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.pdcs
    return state


async def get_inventory(state: Annotated[AppState, Depends(get_state)], user: CurrentUser) -> Inventory:
    """The inventory as the caller sees it: only what lies in their region scope.

    Every list and total a route builds from it is thereby filtered to the scope.
    A view not built yet is built in the thread pool (a large inventory takes a while).
    """
    views, inv = state.views, state.inventory
    view = views.cached(inv, user.scope)
    return view if view is not None else await run_in_threadpool(views.get, inv, user.scope)


async def get_influx(request: Request, state: Annotated[AppState, Depends(get_state)]) -> InfluxDB:
    """The store holding what the route is about — its region, facility or device (province shards:
    pdcs/storage/shards.py); the nation and routes about nothing in particular: ``state.influx``."""
    return state.reader(_route_county(request.path_params, state.inventory))


def _route_county(params: dict[str, Any], inventory: Inventory) -> str:
    """The region code a route's path names (``""`` when none, the nation, or an id the route will 404)."""
    if "code" in params:
        code = str(params["code"]).strip()
        return "" if code in NATION_CODES or not code.isdigit() else code
    facility = inventory.facilities.get(str(params.get("facility_id", "")))
    device = inventory.devices.get(str(params.get("device_id", "")))
    if facility is None and device is not None:
        facility = inventory.facilities.get(device.facility)
    return facility.county if facility is not None else ""


async def get_national(state: Annotated[AppState, Depends(get_state)]) -> InfluxDB | None:
    """The national summaries store, None when none is configured (``AppState.national``)."""
    return state.national()


async def get_maintenance(state: Annotated[AppState, Depends(get_state)]) -> MaintenanceSchedule:
    """The recurring maintenance windows (read by ``create_app``) the availability answers mark."""
    return state.maintenance or MaintenanceSchedule()


async def get_polls(state: Annotated[AppState, Depends(get_state)]) -> PollFetch:
    """How availability routes read polls: through the process's cache of recent polls.

    Made on first use; async dependencies run on the event loop, so only one is ever made.
    """
    if state.polls is None:
        settings = state.settings
        state.polls = RecentPolls(
            state.influx,
            refresh_s=settings.api_poll_cache_s,
            max_polls=settings.api_poll_cache_polls,
            store_of=lambda tags: _polls_store(state, tags),
        )
    return state.polls


def _polls_store(state: AppState, tags: dict[str, str]) -> InfluxDB:
    """The store holding the polls a tag filter selects — its region's, facility's or device's (one province
    store down holds up no other province's answers); no filter (the nation): ``state.influx``."""
    code = next((tags[k] for k in ("county", "city", "province") if tags.get(k)), None)
    params = {"code": code} if code else {"facility_id": tags.get("facility", ""), "device_id": tags.get("device", "")}
    return state.reader(_route_county(params, state.inventory))


StateDep = Annotated[AppState, Depends(get_state)]
InventoryDep = Annotated[Inventory, Depends(get_inventory)]
InfluxDep = Annotated[InfluxDB, Depends(get_influx)]
NationalDep = Annotated[InfluxDB | None, Depends(get_national)]
PollsDep = Annotated[PollFetch, Depends(get_polls)]
MaintenanceDep = Annotated[MaintenanceSchedule, Depends(get_maintenance)]
LangDep = Annotated[Lang, Depends(get_lang)]


@dataclass(frozen=True)
class RegionRef:
    """A region the caller asked for: ``code`` is ``""`` for the nation."""

    code: str


def resolve_region(code: str, inventory: Inventory) -> RegionRef:
    """Validate a region code against the inventory (422 malformed, 404 unknown; the nation is ``""``/``0``)."""
    try:
        return RegionRef(normalise_region(code, inventory))
    except UnknownRegion as exc:
        raise ApiError(404, exc.key, **exc.params) from None
    except FigureError as exc:
        raise ApiError(422, exc.key, **exc.params) from None


async def scoped_region(
    code: Annotated[str, Path(description="GB/T 2260 code: 51, 5101, 510124; 0 for the nation")],
    state: StateDep,
    user: CurrentUser,
) -> RegionRef:
    """The region of a ``/regions/{code}`` route; 403 outside the caller's scope.

    Resolved against the whole inventory (GB/T 2260 codes are public), so a code outside
    the scope is a 403, not a 404 from the caller's scoped view.
    """
    ref = resolve_region(code, state.inventory)
    require_scope(user, ref.code)
    return ref


async def get_device(
    device_id: Annotated[str, Path(description="device id")], state: StateDep, user: CurrentUser
) -> Device:
    """The device of a ``/devices/{device_id}`` route; 404 when unknown *or* outside the caller's scope.

    One answer for both, so a caller cannot learn which ids exist in other counties.
    """
    device = state.inventory.devices.get(device_id)
    if device is None or not user.may_see(state.inventory.county_of(device)):
        raise ApiError(404, "error.not_found.device", id=device_id)
    return device


def visible_facility(inventory: Inventory, user: Principal, facility_id: str) -> Facility | None:
    """The facility if ``user`` may see it; None when unknown *or* outside the scope.

    One answer for both, so a caller cannot learn which ids exist in other counties; the API
    (``get_facility``) and the web page ``/web/facility/{id}`` both answer 404 from it.
    """
    facility = inventory.facilities.get(facility_id)
    return facility if facility is not None and user.may_see(facility.county) else None


async def get_facility(
    facility_id: Annotated[str, Path(description="facility id")], state: StateDep, user: CurrentUser
) -> Facility:
    """The facility of a ``/facilities/{facility_id}`` route; 404 when unknown *or* outside the caller's scope."""
    facility = visible_facility(state.inventory, user, facility_id)
    if facility is None:
        raise ApiError(404, "error.not_found.facility", id=facility_id)
    return facility


async def get_period(
    start: Annotated[
        str | None, Query(description="ISO 8601 with time zone, e.g. 2026-10-01T00:00:00+08:00; default end − 24 h")
    ] = None,
    end: Annotated[str | None, Query(description="ISO 8601 with time zone; default now")] = None,
) -> periods.Period:
    return periods.period(start, end)


RegionDep = Annotated[RegionRef, Depends(scoped_region)]
DeviceDep = Annotated[Device, Depends(get_device)]
FacilityDep = Annotated[Facility, Depends(get_facility)]
PeriodDep = Annotated[periods.Period, Depends(get_period)]
