"""The load benchmark's driver, small: 10 reps x 5 updates on SQLite (no timing asserted)."""

from __future__ import annotations

from bench import load


async def test_every_update_of_concurrent_reps_is_answered_without_lock_errors(tmp_path):
    result = await load.run_database(
        "sqlite",
        tmp_path,
        users=10,
        updates=5,
        data=load.Dataset(organizations=300, contacts=500, activities=1_000),
        baseline=False,
    )
    run = result["load"]
    assert (run["updates"], run["answered"], run["unanswered"]) == (50, 50, 0)
    assert run["extra_replies"] == 0
    assert run["log"]["database_is_locked"] == 0
    assert run["log"]["errors"] == 0, run["log"]["samples"]
    # the mix reached the bot: searches, taps on a result (cards) and one-message calls
    kinds = run["latency_by_kind"]
    assert (kinds["search"]["n"], kinds["card"]["n"], kinds["call"]["n"]) == (30, 10, 10)
