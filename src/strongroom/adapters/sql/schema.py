"""The complete relational schema: ``metadata`` with every table module loaded.

Core tables live in ``tables.py``; each later area keeps its tables in a ``tables_<area>.py``
module on the same ``metadata``. Migrations and their tests compare against this module.
"""

from __future__ import annotations

from strongroom.adapters.sql.tables import metadata

__all__ = ["metadata"]
