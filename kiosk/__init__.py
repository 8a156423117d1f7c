"""Letter Kiosk: a touchscreen station for letter- and email-writing campaigns."""

__version__ = "0.1.0"
APP_NAME = "letter-kiosk"
