"""One module per schema change of the API database, oldest first (``down_revision`` chains them)."""
