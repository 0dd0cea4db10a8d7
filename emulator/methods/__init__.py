"""Bot API method implementations, registered by name in ``METHODS`` on import."""

from emulator.methods import media, messages, settings, updates  # noqa: F401 - registration
from emulator.methods.base import METHODS, Context, Handler, Method, Options, api_method

__all__ = ["METHODS", "Context", "Handler", "Method", "Options", "api_method"]
