"""Manager digests: what the team did in a period, computed with SQL aggregation.

`periods` turns "today", "this week", "last week" or a chosen range in a member's time zone into
UTC bounds; `model` holds the figures; the queries live in `storage.repositories.digests`
(`build_digest`); `chart` draws calls per rep per day as a PNG."""
