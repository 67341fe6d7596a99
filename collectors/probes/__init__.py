"""Probes for what answers neither SNMP nor an agent: ICMP echo, TCP, HTTP(S), DNS.

- ``icmp.py``: ``IcmpCollector`` — echo requests through icmplib (asyncio, one
  raw socket per request in flight) → ``device_up`` ``source=icmp``; the
  engine was chosen by measurement against fping (``bench/probes.py``,
  docs/benchmarks.md);
- ``spec.py``: the service probes a site declares (a YAML file, ``PDCS_PROBES``);
- ``checks.py``: one TCP connect, HTTP(S) request (status, keyword,
  certificate expiry) or DNS query → a ``ProbeResult``;
- ``collector.py``: ``ServiceProbeCollector`` — a device's probes →
  ``service_probe`` points (and ``device_up`` ``source=http`` where a probe says
  it decides the device's state).
"""
