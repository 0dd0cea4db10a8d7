"""Quick follow-up choices and how moments read, in the member's time zone and language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from crm.followups import Preset, preset_moment
from crm.i18n import Catalogs

NOW = datetime(2026, 11, 25, 21, 30, tzinfo=UTC)  # 00:30 on the 26th in Moscow, 23:30 in Vilnius


@pytest.mark.parametrize(
    ("preset", "tz", "expected"),
    [
        (Preset.hour, "Europe/Moscow", NOW + timedelta(hours=1)),
        # "tomorrow" is the member's local tomorrow, at 09:00 there
        (Preset.tomorrow, "Europe/Moscow", datetime(2026, 11, 27, 6, 0, tzinfo=UTC)),
        (Preset.tomorrow, "Europe/Vilnius", datetime(2026, 11, 26, 7, 0, tzinfo=UTC)),
        (Preset.three_days, "Europe/Vilnius", datetime(2026, 11, 28, 7, 0, tzinfo=UTC)),
        (Preset.week, "Europe/Vilnius", datetime(2026, 12, 2, 7, 0, tzinfo=UTC)),
    ],
)
def test_presets(preset, tz, expected):
    assert preset_moment(preset, now=NOW, tz=tz) == expected


def test_a_week_ahead_keeps_the_local_hour_across_a_dst_switch():
    before_switch = datetime(2026, 3, 25, 10, 0, tzinfo=UTC)  # Vilnius switches on March 29
    moment = preset_moment(Preset.week, now=before_switch, tz="Europe/Vilnius")
    assert moment == datetime(2026, 4, 1, 6, 0, tzinfo=UTC)  # 09:00 EEST


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("en", "Thu, Nov 26, 10:00\u202fAM"),
        ("ru", "чт, 26 нояб., 10:00"),
        ("lt", "11-26, kt 10:00"),
    ],
)
def test_moments_read_in_the_members_language_and_zone(locale, expected):
    _ = Catalogs().translator(locale, "Europe/Moscow")
    assert _.moment(datetime(2026, 11, 26, 7, 0, tzinfo=UTC)) == expected
