"""MLPS 2.0 grading: level from GB/T 22240, conformity per GB/T 22239 item, score and conclusion.

Computations only (no FastAPI), so reports reuse them: ``levels.py`` (定级
matrix), ``catalogue.py`` + ``requirements.yaml`` (the items), ``evidence.py``
(latest checks from InfluxDB), ``evaluate.py`` (pure grading), ``report.py``
(facility and region gradings as data).
"""
