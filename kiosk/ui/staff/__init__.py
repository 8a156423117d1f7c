"""Staff mode: the PIN pad, the staff panel and the way in."""
