"""HTTP probes of the digital services facilities declare (the ``service_url`` attribute), without an agent.

A facility whose inventory ``attributes`` hold ``service_url: https://…`` (its
数字图书馆 / 数字文化馆 portal) gets an HTTP probe job from the collector
(``collectors/probes/checks.py``, the same probe as a ``PDCS_PROBES`` entry:
status 200-399, the certificate's days left for https).  Its ``service_probe``
points carry the facility's tags and no device (the service is the
facility's, not a device's); ``service`` is ``service_url`` and ``url`` the
declared URL, which is what the roll-up (``supervision/usage.py``
``probe_points``) and the assessment's measured ``service_probe`` indicator
read.  A URL that a ``PDCS_PROBES`` entry already probes over HTTP for a device
of the same facility is not probed twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from collectors.base import Target
from collectors.probes.spec import ProbeSpec
from inventory.models import SERVICE_URL, Device, DeviceKind, Facility, Inventory, in_scope, region_chain

DECLARED_INTERVAL_S = 300.0  # twelve probes an hour: enough for "answered in opening hours", light on the site
DECLARED_TIMEOUT_S = 10.0
SERVICE_NAME = "service_url"  # the `service` tag of these probes


def declared_url(facility: Facility) -> str | None:
    """The facility's declared service URL when it is an http(s) URL."""
    url = facility.attributes.get(SERVICE_URL)
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return url
    return None


def declared_probes(
    inventory: Inventory, regions: Sequence[str] = (), already: Iterable[ProbeSpec] = ()
) -> list[tuple[Target, ProbeSpec]]:
    """One (target, HTTP probe) per facility in ``regions`` (all when empty) that declares a service URL."""
    probed = {
        (inventory.devices[s.device].facility, s.url)
        for s in already
        if s.kind == "http" and s.device in inventory.devices
    }
    out = []
    for fac in inventory.facilities.values():
        url = declared_url(fac)
        if url is None or (fac.id, url) in probed or (regions and not in_scope(fac.county, list(regions))):
            continue
        # The job's key and the scheduler need a device; this one is not in the inventory and its
        # points carry no device tag.
        job_device = Device(id=f"{fac.id}.{SERVICE_NAME}", kind=DeviceKind.SERVER, facility=fac.id)
        province, city, county = region_chain(fac.county)
        tags = {"province": province, "city": city, "county": county, "facility": fac.id}
        spec = ProbeSpec.model_validate(
            {
                "name": SERVICE_NAME,
                "device": job_device.id,
                "kind": "http",
                "url": url,
                "timeout_s": DECLARED_TIMEOUT_S,
                "interval_s": DECLARED_INTERVAL_S,
            }
        )
        out.append((Target(job_device, tags, inventory.base_dir, fac.timezone), spec))
    return out
