"""The supervision API (FastAPI): regions, devices, supervision figures, grading, reports."""
