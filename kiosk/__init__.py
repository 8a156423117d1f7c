"""Letter Kiosk: a touchscreen station for letter- and email-writing campaigns."""

import os

__version__ = "0.1.0"
APP_NAME = "letter-kiosk"

# pydantic looks for plugins of other packages (importlib.metadata over every installed
# distribution) the first time a model is built: some 25 ms of every start, for plugins the
# kiosk never uses. A plugin someone wants can still be named in this variable.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
