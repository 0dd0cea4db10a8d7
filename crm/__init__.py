"""Domain logic: plain Python, no Telegram, no SQL strings."""
