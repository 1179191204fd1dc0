"""The Alembic migrations build exactly the schema that tables.py declares."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Integer, LargeBinary, MetaData, inspect, select

from strongroom.adapters.sql.engine import create_database_engine
from strongroom.adapters.sql.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_database,
)
from strongroom.adapters.sql.schema import metadata
from strongroom.adapters.sql.tables import audit_head, customers
from strongroom.core.schema import CUSTOMER_FIELDS, EXTRA_TRAITS_FIELD, DataClass
from strongroom.core.trail import GENESIS_HASH


def _differences(engine, target: MetaData) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, target))


def test_every_declared_customer_field_has_a_column_and_pii_is_only_stored_as_ciphertext():
    expected = {"id", "created_at", "updated_at", EXTRA_TRAITS_FIELD}
    expected |= {spec.name for spec in CUSTOMER_FIELDS}
    assert set(customers.c.keys()) == expected
    for spec in CUSTOMER_FIELDS:
        is_binary = isinstance(customers.c[spec.name].type, LargeBinary)
        assert is_binary == (spec.data_class is DataClass.PII), spec.name


def test_the_migrated_schema_equals_the_declared_tables(sql_engine):
    assert _differences(sql_engine, metadata) == []


def test_the_schema_comparison_does_notice_a_difference(sql_engine):
    changed = MetaData(naming_convention=metadata.naming_convention)
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["customers"].append_column(Column("shoe_size", Integer))
    assert _differences(sql_engine, changed) != []


def test_a_migrated_database_is_at_the_head_revision_with_the_audit_head_at_genesis(sql_engine):
    assert current_revision(sql_engine) == head_revision()
    assert head_revision() is not None
    with sql_engine.connect() as connection:
        row = connection.execute(select(audit_head)).one()
    assert (row.id, row.seq, row.entry_hash) == (1, 0, GENESIS_HASH)


def test_upgrading_an_up_to_date_database_changes_nothing(sql_engine):
    upgrade_database(sql_engine)
    assert current_revision(sql_engine) == head_revision()
    assert _differences(sql_engine, metadata) == []


def test_a_new_database_has_no_revision_until_upgraded(tmp_path):
    engine = create_database_engine(f"sqlite:///{tmp_path / 'new.db'}")
    try:
        assert current_revision(engine) is None
        upgrade_database(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_the_initial_migration_downgrades_to_nothing_and_upgrades_again(sqlite_engine):
    with sqlite_engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    assert inspect(sqlite_engine).get_table_names() == ["alembic_version"]
    assert current_revision(sqlite_engine) is None
    upgrade_database(sqlite_engine)
    assert _differences(sqlite_engine, metadata) == []
