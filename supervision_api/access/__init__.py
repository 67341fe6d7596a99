"""Access control: who calls (API tokens → :class:`Principal`), what region they may see, what is on record.

- ``auth``: the ``CurrentUser``/``AdminUser`` dependencies and ``require_scope``;
- ``scope``: the inventory as a caller of a given scope sees it;
- ``store``: the database behind the app (users, tokens, audit log, inventory) and how the app's
  in-memory inventory follows the stored one.
"""
