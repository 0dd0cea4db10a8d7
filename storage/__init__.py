"""Persistence: SQLModel tables, the engine, migrations and the queries (repositories)."""
