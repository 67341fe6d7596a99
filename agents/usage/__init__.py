"""Terminal use (终端使用): user sessions, counted and timed, never named.

Sources, one module each: ``utmp`` (Linux utmp/wtmp), ``windows`` (the
Security and Remote Desktop event logs), ``kiosk`` (a kiosk application's own
session file or endpoint).  ``sessions`` holds the value object and the
Prometheus collector that exposes them.  No user name, host name or address
leaves this package: a session is a seat kind, a log-on time and a duration.
"""
