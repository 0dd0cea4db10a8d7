from __future__ import annotations

import logging

from bot.logs import RedactSecrets


def test_the_token_is_masked_in_log_lines():
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, "POST %s", ("https://x/bot123:SECRET/getMe",), None
    )
    RedactSecrets(["123:SECRET"]).filter(record)
    assert record.getMessage() == "POST https://x/bot***/getMe"
