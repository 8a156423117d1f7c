"""The AT-SPI harness: the kiosk as a screen reader meets it, on a real X server.

These files are run as scripts by Debian's Python (``/usr/bin/python3``, where pyatspi lives),
and import each other by their bare names (``from walk import ...``): ``driver.py`` reads the
tree screen by screen, ``journeys.py`` walks whole journeys (``reader.py`` reading the tree
meanwhile), ``walk.py`` is what they share. ``kiosk_process.py`` (standard library only) starts
the kiosk with the accessibility bus and is also imported by the tests and the soak benchmark.
"""
