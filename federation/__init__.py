"""The national platform's side of the federation: summaries a province ships, and how the nation reads them.

Each provincial platform computes, from its own store, a county-level 5-minute summary
(and its hourly tier) and copies its daily and yearly roll-ups; ``ship.py`` sends them to
the national InfluxDB through the collectors' durable spool, so the national platform
reads summaries, never raw points (NATIONAL.md §2, docs/architecture.md "Federation").
"""
