"""Syslog from network gear and servers: received and stored by Debian's rsyslog, indexed by pdcs.

The Cybersecurity Law of the PRC, Art. 21 (3), asks network operators to
"monitor and record network operation and security events … and keep the
network logs for no less than six months"; GB/T 22239-2019 8.1.5.4 (集中管控)
asks that audit data scattered over devices be collected centrally and kept as
the law requires.  pdcs does not write a log receiver or a log store:

- ``rsyslog.py`` writes the rsyslog configuration: RFC 3164 and RFC 5424 over
  UDP and TCP (``imudp``/``imtcp``; TLS through rsyslog's own ``gtls`` driver
  where a site wants it), every message as one JSON line in a file per sender
  address and day (``<store>/<ip>/<YYYY-MM-DD>.jsonl``) — the raw store;
- ``store.py`` reads that store back (search by device and time; GB 2312/GBK
  messages from Chinese gear decoded as GB 18030, never dropped) and prunes
  whole days older than the retention (180 days at least);
- ``events.py`` names the messages alert rules care about (login failures,
  link up/down, configuration changes), per vendor;
- ``indexer.py`` follows the files, attributes each message to an inventory
  device by its source address, and writes counts per device, syslog facility,
  severity and event to InfluxDB (``syslog``), plus the grading evidence
  (``security_check``: is the device sending? is retention ≥ 180 days?);
- ``cli.py`` is ``pdcs syslog config|index|search|prune``.
"""
