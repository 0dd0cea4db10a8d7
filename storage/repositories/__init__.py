"""Queries. Functions take the session first and never commit: the caller's unit of work does."""
