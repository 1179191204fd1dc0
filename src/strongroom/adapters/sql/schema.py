"""The complete relational schema: ``metadata`` with every table module loaded.

Core tables live in ``tables.py``; each later area keeps its tables in a ``tables_<area>.py``
module on the same ``metadata``. Migrations and their tests compare against this module.
"""

from __future__ import annotations

from strongroom.adapters.sql import (
    tables_catalog,  # noqa: F401 - registers its tables
    tables_identity,  # noqa: F401 - registers its tables
    tables_imports,  # noqa: F401 - registers its tables
    tables_intake,  # noqa: F401 - registers its tables
    tables_lake,  # noqa: F401 - registers its indexes
    tables_machines,  # noqa: F401 - registers its tables
    tables_policy,  # noqa: F401 - registers its tables
    tables_privacy,  # noqa: F401 - registers its tables
    tables_respond,  # noqa: F401 - registers its tables
    tables_sources,  # noqa: F401 - registers its tables
    tables_staff,  # noqa: F401 - registers its tables
)
from strongroom.adapters.sql.tables import metadata

__all__ = ["metadata"]
