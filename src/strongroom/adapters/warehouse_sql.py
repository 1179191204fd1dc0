"""The warehouse's DuckDB statements, built with SQLGlot from core.warehouse's declaration.

Names come from the declaration and this module's constants (checked, then quoted); values are
always bound parameters (``$name``) or Arrow tables registered by name.
"""

from __future__ import annotations

import re

from sqlglot import exp

from strongroom.core.warehouse import ColumnType, WarehouseTable

META = "strongroom_meta"
INCOMING = "incoming_rows"
OWNERS = "owner_batch"
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def name(text: str) -> exp.Identifier:
    """A declared name as a quoted identifier; refuses anything but a plain lower-case name."""
    if not _IDENTIFIER.fullmatch(text):
        raise ValueError(f"{text!r} is not a plain lower-case SQL name")
    return exp.to_identifier(text, quoted=True)


def table(text: str, schema: str = "main") -> exp.Table:
    return exp.table_(name(text), db=name(schema))


def sql(expression: exp.Expression) -> str:
    return expression.sql(dialect="duckdb")


BUILDS = table("builds", META)


def create_table(declared: WarehouseTable) -> str:
    """CREATE TABLE IF NOT EXISTS for a declared table, its key as the primary key."""
    not_null = [exp.ColumnConstraint(kind=exp.NotNullColumnConstraint())]
    columns: list[exp.Expression] = [
        exp.ColumnDef(
            this=name(c.name),
            kind=exp.DataType.build(c.type.value, dialect="duckdb"),
            constraints=[] if c.nullable else not_null,
        )
        for c in declared.columns
    ]
    key = exp.PrimaryKey(expressions=[name(k) for k in declared.key])
    schema = exp.Schema(this=table(declared.name), expressions=[*columns, key])
    return sql(exp.Create(this=schema, kind="TABLE", exists=True))


def create_meta() -> list[str]:
    """The bookkeeping schema and its table of builds."""
    columns = [
        exp.ColumnDef(this=name("lake_batch"), kind=exp.DataType.build("BIGINT")),
        exp.ColumnDef(this=name("built_at"), kind=exp.DataType.build("TIMESTAMP")),
    ]
    return [
        sql(exp.Create(this=exp.Table(db=name(META)), kind="SCHEMA", exists=True)),
        sql(
            exp.Create(this=exp.Schema(this=BUILDS, expressions=columns), kind="TABLE", exists=True)
        ),
    ]


def insert_incoming(declared: WarehouseTable) -> str:
    """INSERT the declared columns of the registered Arrow table ``incoming_rows``."""
    columns = [name(c) for c in declared.column_names]
    select = exp.select(*(exp.column(c.copy()) for c in columns)).from_(INCOMING)
    return sql(exp.insert(select, table(declared.name), columns=columns))


def _lake_column(column: str, type_: ColumnType) -> exp.Expression:
    value = exp.column(name(column))
    if type_ in (ColumnType.TIMESTAMP, ColumnType.TEXT):  # the source partition reads as any type
        return exp.cast(value, type_.value)
    return value


def load_from_lake(declared: WarehouseTable) -> str:
    """INSERT OR IGNORE the rows of lake batches $after < n <= $through of Parquet $files."""
    source = exp.func(
        "read_parquet",
        exp.Placeholder(this="files"),
        exp.EQ(this=exp.column("hive_partitioning"), expression=exp.true()),
        exp.EQ(this=exp.column("union_by_name"), expression=exp.true()),
    )
    batch = exp.column("lake_batch")
    window = exp.and_(
        exp.GT(this=batch, expression=exp.Placeholder(this="after")),
        exp.LTE(this=batch.copy(), expression=exp.Placeholder(this="through")),
    )
    select = (
        exp.select(*(_lake_column(c.name, c.type) for c in declared.columns))
        .from_(source)
        .where(window)
    )
    columns = [name(c) for c in declared.column_names]
    insert = exp.insert(select, table(declared.name), columns=columns)
    insert.set("alternative", "IGNORE")
    return sql(insert)


def _aliased(source: exp.Table, alias: str) -> exp.Table:
    source.set("alias", exp.TableAlias(this=exp.to_identifier(alias)))
    return source


def update_owners(declared: WarehouseTable, key: str) -> str:
    """Give rows of ``declared`` the pseudonym of the ``owner_batch`` row with the same key."""
    theirs = exp.column("pseudonym", table="o")
    condition = exp.and_(
        exp.EQ(this=exp.column(name(key), table="f"), expression=exp.column("row_id", table="o")),
        exp.NEQ(this=exp.column("customer_pseudonym", table="f"), expression=theirs.copy()),
    )
    update = exp.update(
        _aliased(table(declared.name), "f"),
        {"customer_pseudonym": theirs},
        from_=exp.From(this=_aliased(exp.table_(OWNERS), "o")),
        where=condition,
    )
    return sql(update)


def delete_all(text: str) -> str:
    return sql(exp.delete(table(text)))


def count(text: str) -> str:
    return sql(exp.select(exp.func("count", exp.Star())).from_(table(text)))


def last_loaded_batch() -> str:
    return sql(exp.select(exp.func("max", exp.column("lake_batch"))).from_(BUILDS))


def record_build() -> str:
    values = exp.values([(exp.Placeholder(this="batch"), exp.Placeholder(this="at"))])
    return sql(exp.insert(values, BUILDS))


def latest_build() -> str:
    query = exp.select("lake_batch", "built_at").from_(BUILDS)
    return sql(query.order_by(exp.Ordered(this=exp.column("built_at"), desc=True)).limit(1))


def meta_exists() -> str:
    schemata = exp.table_("schemata", db="information_schema")
    query = exp.select(exp.func("count", exp.Star())).from_(schemata)
    return sql(query.where(exp.column("schema_name").eq(exp.Placeholder(this="schema"))))
