"""Storage: the tables (models, migrations), database sessions and the prepared statements of the hot path.
May use: nothing of the engine but ``engine.errors``; every other layer stands on this one."""
