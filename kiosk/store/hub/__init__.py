"""The event's hub: one PostgreSQL database several kiosks share (issue 12, docs/hub.md).

Every SQL statement for it is here, as every SQLite one is in ``kiosk/store``: ``link`` (opening
a connection, the deadline a call must meet, what a failure means), ``schema`` (versioned), and
one module a subject (``letters``: the upload). psycopg is needed only when a campaign has a hub.
"""
