"""A Telegram Bot API emulator plus a test driver acting as Telegram users.

Usage::

    async with BotApiEmulator() as emu:
        app = (Application.builder().token(TOKEN).base_url(emu.base_url)
               .base_file_url(emu.base_file_url).build())
        ...  # initialize, start, updater.start_polling(poll_interval=0.0, timeout=1)
        user = emu.user(1001, "Anna")
        await user.send("/start")
        reply = await user.next_message()
"""

from emulator.driver import BotDocument, BotMessage, FakeUser
from emulator.files import tiny_png
from emulator.methods import Context
from emulator.server import BotApiEmulator
from emulator.state import ApiCall, ApiError, BotState

__all__ = [
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "BotDocument",
    "BotMessage",
    "BotState",
    "Context",
    "FakeUser",
    "tiny_png",
]
