"""The database schema, versioned with ``PRAGMA user_version``.

Migrations are append-only: a kiosk that ran last month's version opens this month's store
without losing a letter. Each entry moves the schema from version i to i + 1.
"""

from __future__ import annotations

# A random (version 4) UUID made by SQLite itself, a new one for each row it is evaluated on:
# each randomblob() call is its own.
RANDOM_UUID_SQL = (
    "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2)"
    " || '-' || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2)"
    " || '-' || hex(randomblob(6)))"
)

MIGRATIONS: list[str] = [
    # 0 -> 1
    """
    CREATE TABLE letters (
        id             INTEGER PRIMARY KEY,
        session_id     TEXT    NOT NULL,
        created_at     TEXT    NOT NULL,          -- UTC, ISO 8601
        campaign_id    TEXT    NOT NULL,
        recipient_id   TEXT    NOT NULL,
        language       TEXT    NOT NULL,
        salutation     TEXT    NOT NULL,
        body           TEXT    NOT NULL,
        closing        TEXT    NOT NULL,
        signature      TEXT    NOT NULL,          -- lines under the closing, newline-separated
        full_text      TEXT    NOT NULL,          -- exactly what was reviewed, printed, emailed
        address_lines  TEXT    NOT NULL,          -- JSON list
        postage_free   INTEGER NOT NULL,
        recipient_email TEXT,
        sign_mode      TEXT    NOT NULL,
        first_name     TEXT    NOT NULL DEFAULT '',
        last_name      TEXT    NOT NULL DEFAULT '',
        city           TEXT    NOT NULL DEFAULT '',
        postal_code    TEXT    NOT NULL DEFAULT '',
        email          TEXT    NOT NULL DEFAULT '',
        short_name     TEXT    NOT NULL DEFAULT '', -- "Jane D.", for the email's From name
        send_copy      INTEGER NOT NULL DEFAULT 0,
        opt_in         INTEGER NOT NULL DEFAULT 0,
        opt_in_wording TEXT,                       -- the consent text the visitor saw (CASL)
        opt_in_at      TEXT,
        by_print       INTEGER NOT NULL,
        by_email       INTEGER NOT NULL,
        personal_purged_at TEXT
    );
    CREATE INDEX letters_created ON letters(created_at);
    CREATE INDEX letters_session ON letters(session_id);

    CREATE TABLE print_jobs (
        id          INTEGER PRIMARY KEY,
        letter_id   INTEGER NOT NULL REFERENCES letters(id),
        state       TEXT    NOT NULL DEFAULT 'queued',  -- see kiosk/store/print_jobs.py
        attempts    INTEGER NOT NULL DEFAULT 0,         -- times the job was sent to the printer
        created_at  TEXT    NOT NULL,
        updated_at  TEXT    NOT NULL,
        sent_at     TEXT,                               -- last time it was sent in full
        printed_at  TEXT,
        last_status TEXT,                               -- printer status at the last check
        last_error  TEXT                                -- for staff, never letter text
    );
    CREATE INDEX print_jobs_state ON print_jobs(state, id);

    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        letter_id       INTEGER NOT NULL REFERENCES letters(id),
        message_id      TEXT    NOT NULL UNIQUE,    -- fixed at queue time, reused on every retry
        to_addr         TEXT    NOT NULL,
        subject         TEXT    NOT NULL,
        state           TEXT    NOT NULL DEFAULT 'queued', -- see kiosk/store/outbox.py
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT    NOT NULL,
        lease_owner     TEXT,                       -- "host:pid:token" of the sending worker
        lease_until     TEXT,
        created_at      TEXT    NOT NULL,
        updated_at      TEXT    NOT NULL,
        sent_at         TEXT,
        last_code       INTEGER,                    -- the server's last SMTP reply code
        last_error      TEXT,                       -- the server's answer, kept for staff
        maybe_delivered INTEGER NOT NULL DEFAULT 0, -- an attempt ended without a verdict
        note            TEXT                        -- e.g. the visitor's copy was refused
    );
    CREATE INDEX outbox_due ON outbox(state, next_attempt_at);

    CREATE TABLE audit (
        id      INTEGER PRIMARY KEY,
        at      TEXT NOT NULL,
        actor   TEXT NOT NULL,   -- "staff", "cli", "kiosk"
        action  TEXT NOT NULL,
        detail  TEXT NOT NULL DEFAULT ''  -- never letter text or contact details
    );
    """,
    # 1 -> 2: the PIN pad's lockout, kept so that a restart gives no fresh tries
    # (see kiosk/store/pin_lockout.py)
    """
    CREATE TABLE pin_lockout (
        id           INTEGER PRIMARY KEY CHECK (id = 1), -- one row: the kiosk has one PIN pad
        failures     INTEGER NOT NULL DEFAULT 0,  -- wrong PINs since the last lockout or unlock
        lockouts     INTEGER NOT NULL DEFAULT 0,  -- lockouts since the last unlock: each doubles
        locked_at    TEXT,                        -- UTC wall clock when the lockout began
        lock_seconds INTEGER NOT NULL DEFAULT 0   -- how long it lasts, 0 when not locked
    );
    """,
    # 2 -> 3: the kiosk's own id, made once per store and kept in it, on every letter and print
    # job: letters from several kiosks can then meet in one place (issue 12) and still say
    # where they were written. A store from before gets its id now, and its rows that id.
    """
    CREATE TABLE kiosk (
        id        INTEGER PRIMARY KEY CHECK (id = 1), -- one row: this store's kiosk
        kiosk_id  TEXT NOT NULL,                      -- a random UUID, never changed
        made_at   TEXT NOT NULL                       -- UTC, when the id was made
    );
    INSERT INTO kiosk (id, kiosk_id, made_at)
        SELECT 1, lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3)
                        || '-' || substr('89ab', 1 + abs(random() % 4), 1) || substr(h, 18, 3)
                        || '-' || substr(h, 21, 12)),
               strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
        FROM (SELECT hex(randomblob(16)) AS h);
    ALTER TABLE letters ADD COLUMN kiosk_id TEXT NOT NULL DEFAULT '';
    UPDATE letters SET kiosk_id = (SELECT kiosk_id FROM kiosk WHERE id = 1);
    ALTER TABLE print_jobs ADD COLUMN kiosk_id TEXT NOT NULL DEFAULT '';
    UPDATE print_jobs SET kiosk_id = (SELECT kiosk_id FROM kiosk WHERE id = 1);
    """,
    # 3 -> 4: the event's hub (issue 12). Each letter gets a UUID, its name wherever it goes:
    # uploading it twice adds nothing, and one that came back with other content is noticed.
    # uploaded_at: when the hub committed it (NULL: not yet, or no hub). Outbox rows in state
    # 'hub' are sent by the hub, not by this kiosk (kiosk/store/outbox.py).
    f"""
    ALTER TABLE letters ADD COLUMN uuid TEXT;
    UPDATE letters SET uuid = {RANDOM_UUID_SQL};
    CREATE UNIQUE INDEX letters_uuid ON letters(uuid);
    ALTER TABLE letters ADD COLUMN uploaded_at TEXT;
    CREATE INDEX letters_not_uploaded ON letters(id) WHERE uploaded_at IS NULL;
    """,
    # 4 -> 5: the office printer (issue 13). A print job is for the receipt printer or for the
    # office printer (a full page through CUPS); an office job handed to CUPS keeps CUPS's job
    # number, so it is followed there and never handed over twice. A visitor's drawn signature
    # is kept beside each of their letters, only as long as the letter's personal details.
    """
    ALTER TABLE print_jobs ADD COLUMN device TEXT NOT NULL DEFAULT 'receipt';
    ALTER TABLE print_jobs ADD COLUMN cups_job INTEGER;
    DROP INDEX print_jobs_state;
    CREATE INDEX print_jobs_state ON print_jobs(device, state, id);
    CREATE TABLE letter_drawings (
        letter_id  INTEGER PRIMARY KEY REFERENCES letters(id),
        png        BLOB    NOT NULL
    );
    """,
]

VERSION = len(MIGRATIONS)
