"""Checks a test runs over what the kiosk made: a screen's accessibility audit, an email's
headers against hostile names, a command's exit and message."""
