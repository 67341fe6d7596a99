"""One module per dashboard; each has ``UID``, ``FOLDER`` and ``build(names) -> Dashboard``."""
