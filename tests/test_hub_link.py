"""What a failure to reach or use the hub means: wait (the letters wait too) or act (staff must
change something: exit 2). Messages as libpq and PostgreSQL write them."""

from __future__ import annotations

import pytest

from kiosk.store.hub.link import HubAway, HubRefused, classify


class DbError(Exception):
    def __init__(self, text: str, sqlstate: str | None = None):
        super().__init__(text)
        self.sqlstate = sqlstate


@pytest.mark.parametrize(("text", "sqlstate", "kind"), [
    ("SSL SYSCALL error: EOF detected", None, None),
    ("SSL error: unexpected eof while reading", None, None),
    ('could not translate host name "hub.local" to address: Temporary failure in name '
     "resolution", None, None),
    ("connection failed: connection to server at \"10.0.0.2\", port 5432 failed: Connection "
     "refused", None, None),
    ("terminating connection due to administrator command", "57P01", None),
    ("canceling statement due to statement timeout", "57014", None),
    ('connection failed: FATAL:  password authentication failed for user "hall_a"', None,
     "credentials"),
    ('connection failed: FATAL:  database "letters" does not exist', None, "database"),
    ("failed to resolve host 'hub.example': [Errno -2] Name or service not known", None, "url"),
    ('server certificate for "hub.local" does not match host name "10.0.0.2"', None, "tls"),
    ("SSL error: certificate verify failed", None, "tls"),
    ('relation "kiosks" does not exist', "42P01", "schema"),
    ("permission denied for table letters", "42501", "privilege"),
])
def test_each_failure_means_wait_or_act(text, sqlstate, kind):
    seen = classify(DbError(text, sqlstate), "postgresql://hall_a@hub.local/letters")
    if kind is None:
        assert isinstance(seen, HubAway)
    else:
        assert isinstance(seen, HubRefused) and seen.kind == kind
        assert "hub.local" in seen.message and seen.details == [seen.details[0]]
