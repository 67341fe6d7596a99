"""Numeric OIDs the collector reads (no MIB compilation on the hot path)."""

from __future__ import annotations

# SNMPv2-MIB system group (scalars).
SYS_DESCR = "1.3.6.1.2.1.1.1.0"
SYS_OBJECT_ID = "1.3.6.1.2.1.1.2.0"
SYS_UPTIME = "1.3.6.1.2.1.1.3.0"
SYS_NAME = "1.3.6.1.2.1.1.5.0"

# IF-MIB ifTable columns.
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"
IF_SPEED = "1.3.6.1.2.1.2.2.1.5"  # bps, Gauge32 (saturates at 4.29 Gbps)
IF_OPER_STATUS = "1.3.6.1.2.1.2.2.1.8"  # 1 up, 2 down, ...
IF_IN_OCTETS = "1.3.6.1.2.1.2.2.1.10"  # Counter32
IF_OUT_OCTETS = "1.3.6.1.2.1.2.2.1.16"  # Counter32

# IF-MIB ifXTable columns.
IF_NAME = "1.3.6.1.2.1.31.1.1.1.1"
IF_HC_IN_OCTETS = "1.3.6.1.2.1.31.1.1.1.6"  # Counter64
IF_HC_OUT_OCTETS = "1.3.6.1.2.1.31.1.1.1.10"  # Counter64
IF_HIGH_SPEED = "1.3.6.1.2.1.31.1.1.1.15"  # Mbps

# SNMPv2-MIB notifications (trap OIDs) and the varbinds they carry.
SNMP_TRAP_OID = "1.3.6.1.6.3.1.1.4.1.0"
COLD_START = "1.3.6.1.6.3.1.1.5.1"
WARM_START = "1.3.6.1.6.3.1.1.5.2"
LINK_DOWN = "1.3.6.1.6.3.1.1.5.3"
LINK_UP = "1.3.6.1.6.3.1.1.5.4"
IF_INDEX = "1.3.6.1.2.1.2.2.1.1"
