"""Statements of the hot path, compiled once per database dialect and sent straight to the driver.

Starting a case, listing a person's tasks and completing one run a dozen small statements between them.
Through ``Connection.execute`` each costs SQLAlchemy about 50 µs of Python (events, an execution
context, a result object, cache lookups) against 2–5 µs in the driver, so the framework alone came to
more than SpiffWorkflow's own work per step (docs/benchmarks.md). A ``Prepared`` keeps SQLAlchemy for
what it is good at — the SQL text of each dialect and the conversion of values to and from column types —
and runs that text on the DBAPI cursor of the caller's connection, inside the caller's transaction.

Everything else keeps using ``Connection.execute``: only statements written once as module constants
belong here, and only those whose binds are scalars (no expanding ``IN``).
"""
from __future__ import annotations

import threading
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

_Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: bool
    # one per placeholder: (name in the SQL text, the caller's key or None for a literal, literal, processor)
    binds: tuple[tuple[str, str | None, Any, _Processor], ...]
    row: Any  # namedtuple class of the result columns, or None for a statement without rows
    results: tuple[tuple[int, _Processor], ...]  # (column index, processor) for columns that need one
    driver_error: type[Exception]


class Prepared:
    """One Core statement, compiled on first use for each dialect it meets.

    ``keys`` are the parameter names of an INSERT without ``.values()`` (its columns). Parameters are
    passed by the statement's bind keys, as to ``Connection.execute``; driver errors come out as
    SQLAlchemy's ``DBAPIError`` subclasses, as they would from ``Connection.execute``.
    """

    def __init__(self, statement: sa.Executable, keys: Sequence[str] | None = None):
        self.statement = statement
        self.keys = list(keys) if keys is not None else None
        self._writes = isinstance(statement, sa.UpdateBase)
        self._returns_rows = isinstance(statement, sa.Select) or bool(getattr(statement, "_returning", ()))
        self._by_dialect: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    # -------------------------------------------------------------------------------------------- running
    def rows(self, conn: Any, params: Mapping[str, Any] | None = None) -> list[Any]:
        """All result rows, as named tuples with values converted to their column types."""
        if not self._returns_rows:
            raise TypeError("this statement returns no rows: use run() or many()")
        compiled, cursor = self._run(conn, params)
        raw = cursor.fetchall()
        make, results = compiled.row._make, compiled.results
        if not results:
            return [make(r) for r in raw]
        out = []
        for r in raw:
            values = list(r)
            for i, process in results:
                values[i] = process(values[i])  # type: ignore[misc]
            out.append(make(values))
        return out

    def first(self, conn: Any, params: Mapping[str, Any] | None = None) -> Any:
        rows = self.rows(conn, params)
        return rows[0] if rows else None

    def scalar(self, conn: Any, params: Mapping[str, Any] | None = None) -> Any:
        row = self.first(conn, params)
        return None if row is None else row[0]

    def run(self, conn: Any, params: Mapping[str, Any] | None = None) -> int:
        """Execute a statement without rows; returns the number of rows it changed.

        ``conn`` may be a writer that holds writes back (``store.DeferredWrites``, with a ``defer``
        method): the statement is then queued, and reported as changing one row.
        """
        if self._deferred(conn, [params or {}]):
            return 1
        return self._run(conn, params)[1].rowcount

    def many(self, conn: Any, rows: Sequence[Mapping[str, Any]]) -> int | None:
        """Execute once per parameter set, in one driver call (``executemany``); returns the number of rows
        changed in all, or None where the driver cannot count them."""
        if self._deferred(conn, list(rows)):
            return None
        compiled = self._compiled(conn.dialect)
        cursor = conn.connection.dbapi_connection.cursor()
        values = [self._values(compiled, r) for r in rows]
        try:
            cursor.executemany(compiled.sql, values)
        except compiled.driver_error as exc:
            raise _wrapped(conn, compiled, values, exc) from exc
        return cursor.rowcount if conn.dialect.supports_sane_multi_rowcount else None

    def _deferred(self, conn: Any, rows: list[Mapping[str, Any]]) -> bool:
        defer = getattr(conn, "defer", None) if self._writes else None
        if defer is None:
            return False
        if self._returns_rows:
            raise TypeError("a statement whose result is needed now cannot be deferred")
        defer(self, rows)
        return True

    def _run(self, conn: Any, params: Mapping[str, Any] | None) -> tuple[_Compiled, Any]:
        if self._returns_rows and self._writes and hasattr(conn, "defer"):
            raise TypeError("a write whose result is needed now cannot be deferred")
        compiled = self._compiled(conn.dialect)
        cursor = conn.connection.dbapi_connection.cursor()
        values = self._values(compiled, params or {})
        try:
            cursor.execute(compiled.sql, values)
        except compiled.driver_error as exc:
            raise _wrapped(conn, compiled, values, exc) from exc
        return compiled, cursor

    @staticmethod
    def _values(compiled: _Compiled, params: Mapping[str, Any]) -> Any:
        converted = []
        for _, key, literal, process in compiled.binds:
            value = literal if key is None else params[key]
            converted.append(value if process is None else process(value))
        if compiled.positional:
            return tuple(converted)
        return {name: value for (name, _, _, _), value in zip(compiled.binds, converted, strict=True)}

    # ------------------------------------------------------------------------------------------ compiling
    def _compiled(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self._by_dialect.get(dialect.name)
        if compiled is None:
            with self._lock:
                compiled = self._by_dialect.get(dialect.name) or self._compile(dialect)
                self._by_dialect[dialect.name] = compiled
        return compiled

    def _compile(self, dialect: sa.Dialect) -> _Compiled:
        compiled = self.statement.compile(dialect=dialect, column_keys=self.keys)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise TypeError("a prepared statement cannot have parameters rendered at execution time "
                            "(IN with a list, some functions' arguments)")
        bind_by_name = {name: bind for bind, name in compiled.bind_names.items()}
        names = (compiled.positiontup if compiled.positional
                 else list(dict.fromkeys(compiled.bind_names.values())))
        binds = []
        for name in names or ():
            bind = bind_by_name[name]
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:
                binds.append((name, bind.key, None, process))
            else:
                binds.append((name, None, bind.effective_value, process))
        row, results = None, ()
        columns = list(getattr(self.statement, "exported_columns", ()))
        if self._returns_rows:
            row = namedtuple("Row", [c.key for c in columns])  # type: ignore[misc]  # noqa: PYI024
            processors = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
            results = tuple((i, p) for i, p in enumerate(processors) if p is not None)
        driver_error = dialect.loaded_dbapi.Error
        return _Compiled(compiled.string, compiled.positional, tuple(binds), row, results, driver_error)


def _wrapped(conn: sa.Connection, compiled: _Compiled, params: Any, exc: Exception) -> sa.exc.DBAPIError:
    return sa.exc.DBAPIError.instance(compiled.sql, params, exc, compiled.driver_error, dialect=conn.dialect)
