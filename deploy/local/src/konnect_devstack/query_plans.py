"""Query plans of hot read statements, for tests: how often PostgreSQL plans them, and which tables they scan.

Tests run them on data with realistic, skewed statistics (a big organisation beside a small one): a statement
planned again on every read, or one that reads a table whole, costs more as the organisations grow
(bench/PROFILE-read-paths.md, round 13).
"""

import json
from typing import Any

import asyncpg


async def plans_of(connection: asyncpg.Connection, sql: str, values: list[Any], times: int = 10) -> tuple[int, int]:
    """Run `sql` with `values` `times` times as one prepared statement on `connection`: its (generic plans,
    custom plans) as PostgreSQL counted them. A statement kept on its generic plan has at most 5 custom plans."""
    statement = await connection.prepare(sql)
    for _ in range(times):
        await statement.fetch(*values)
    found = await connection.fetchrow("SELECT generic_plans, custom_plans FROM pg_prepared_statements"
                                      " WHERE name = $1", statement.get_name())
    return int(found["generic_plans"]), int(found["custom_plans"])


async def _generic_plan_nodes(connection: asyncpg.Connection, sql: str, values: list[Any], *,
                              analyze: bool) -> list[dict[str, Any]]:
    """Every node of `sql`'s generic plan (the one a hot read runs after five executions) for `values`, run when
    `analyze` (EXPLAIN ANALYZE)."""
    statement = await connection.prepare(sql)
    # Test values only: ids, dates, moments, numbers, booleans.
    literals = ", ".join("NULL" if v is None else f"'{v}'" if not isinstance(v, bool) else str(v).lower()
                         for v in values)
    async with connection.transaction():
        await connection.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        plan = await connection.fetchval(f"EXPLAIN ({'ANALYZE, ' if analyze else ''}FORMAT JSON) "
                                         f"EXECUTE {statement.get_name()}({literals})")
    nodes: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        nodes.append(node)
        for child in node.get("Plans", []):
            walk(child)

    walk(json.loads(plan)[0]["Plan"])
    return nodes


async def rows_read(connection: asyncpg.Connection, sql: str, values: list[Any], table: str) -> int:
    """How many rows of `table` `sql`'s generic plan, run for `values`, read (kept or filtered out, in every scan
    of it): a read whose rows read grow with the data behind the page costs more as that data grows."""
    # Rows per loop, as EXPLAIN gives them.
    return sum(round((node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node["Actual Loops"])
               for node in await _generic_plan_nodes(connection, sql, values, analyze=True)
               if node.get("Relation Name") == table)


async def scanned_tables(connection: asyncpg.Connection, sql: str, values: list[Any]) -> set[str]:
    """The tables `sql`'s generic plan reads whole, by a sequential scan, for `values`. A hot read on statistics
    from realistic data should scan none but tiny ones."""
    return {node["Relation Name"] for node in await _generic_plan_nodes(connection, sql, values, analyze=False)
            if node.get("Node Type") == "Seq Scan"}
