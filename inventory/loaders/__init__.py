"""Readers that turn inventory files into records, and the checks that turn records into an Inventory.

``yaml_source`` and ``csv_source`` each read one file into :class:`~inventory.loaders.records.Record`s
(raw values plus a way to find any field's line); ``validate`` builds the pydantic models from them;
``crosscheck`` checks what no single record can (duplicates, references between records, regions).
``inventory.load.load_inventory`` runs them in that order.
"""
