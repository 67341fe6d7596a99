"""``pdcs discover``: sweep given subnets, propose inventory rows, report devices not in the inventory.

``sweep.py`` expands the ranges (never an address outside them; at most
``MAX_HOSTS``), sends ICMP echo at a bounded rate, asks every answering address
for sysObjectID, sysName and sysDescr with the inventory's SNMP profile, and
reads LLDP/CDP neighbours where the agent exposes them (neighbour addresses
are reported, never probed); ``guess.py`` guesses vendor and kind from
sysObjectID and sysDescr; ``cli.py`` writes the proposal as a devices
register (CSV, the inventory loader's own columns) for the county to review.
"""
