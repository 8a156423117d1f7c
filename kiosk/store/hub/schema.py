"""The hub's tables, versioned in ``hub_schema``. ``hub init`` creates or moves them on; a kiosk
checks the version before it uploads and refuses a hub newer than it knows (an older one is
moved on by ``hub init``, never by a kiosk: kiosks do not get to change the hub's tables).

Times the hub keeps (received, last seen, leases) are the hub's own clock, ``now()``: kiosks'
clocks disagree, and one set two days off must not change anything. ``created_at`` is the
kiosk's clock, kept as the kiosk said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.store.hub.link import HubRefused

if TYPE_CHECKING:
    import psycopg

# A key for pg_advisory_xact_lock: two `hub init` at once take turns.
_INIT_LOCK = 0x4C4B_6875  # "LKhu"

MIGRATIONS: list[str] = [
    # 0 -> 1
    """
    CREATE TABLE kiosks (
        kiosk_id      text PRIMARY KEY,
        name          text NOT NULL,
        first_seen    timestamptz NOT NULL DEFAULT now(),
        last_seen     timestamptz NOT NULL DEFAULT now(),
        not_uploaded  integer NOT NULL DEFAULT 0,  -- letters the kiosk still held, last time
        printer       text NOT NULL DEFAULT ''     -- the kiosk's printer state, last time
    );
    CREATE TABLE letters (
        uuid            uuid PRIMARY KEY,
        kiosk_id        text NOT NULL REFERENCES kiosks,
        local_id        bigint NOT NULL,           -- its number in the kiosk's own store
        received_at     timestamptz NOT NULL DEFAULT now(),
        content_sha256  text NOT NULL,
        session_id      text NOT NULL,
        created_at      timestamptz NOT NULL,      -- the kiosk's clock
        campaign_id     text NOT NULL,
        recipient_id    text NOT NULL,
        language        text NOT NULL,
        salutation      text NOT NULL,
        body            text NOT NULL,
        closing         text NOT NULL,
        signature       text NOT NULL,
        full_text       text NOT NULL,
        address_lines   jsonb NOT NULL,
        postage_free    boolean NOT NULL,
        recipient_email text,
        sign_mode       text NOT NULL,
        first_name      text NOT NULL,
        last_name       text NOT NULL,
        city            text NOT NULL,
        postal_code     text NOT NULL,
        email           text NOT NULL,
        short_name      text NOT NULL,
        send_copy       boolean NOT NULL,
        opt_in          boolean NOT NULL,
        opt_in_wording  text,
        opt_in_at       timestamptz,
        by_print        boolean NOT NULL,
        by_email        boolean NOT NULL,
        personal_purged_at timestamptz
    );
    CREATE INDEX letters_received ON letters (received_at);
    -- The same UUID arrived with other content: kept aside for staff, never overwriting.
    CREATE TABLE letter_conflicts (
        id              bigserial PRIMARY KEY,
        uuid            uuid NOT NULL,
        kiosk_id        text NOT NULL,
        received_at     timestamptz NOT NULL DEFAULT now(),
        content_sha256  text NOT NULL,
        content         jsonb NOT NULL
    );
    -- Emails the hub sends, once, from one place (claimed under a lease of the hub's clock).
    CREATE TABLE outbox (
        id              bigserial PRIMARY KEY,
        letter_uuid     uuid NOT NULL REFERENCES letters,
        message_id      text NOT NULL UNIQUE,      -- fixed by the kiosk, the same on every try
        to_addr         text NOT NULL,
        subject         text NOT NULL,
        state           text NOT NULL DEFAULT 'queued',
        attempts        integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner     text,
        lease_until     timestamptz,
        created_at      timestamptz NOT NULL DEFAULT now(),
        updated_at      timestamptz NOT NULL DEFAULT now(),
        sent_at         timestamptz,
        last_code       integer,
        last_error      text,
        maybe_delivered boolean NOT NULL DEFAULT false,
        note            text
    );
    CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
    CREATE TABLE audit (
        id      bigserial PRIMARY KEY,
        at      timestamptz NOT NULL DEFAULT now(),
        actor   text NOT NULL,
        action  text NOT NULL,
        detail  text NOT NULL DEFAULT ''
    );
    -- "Something changed": listeners query again (a count in the payload would be racy).
    CREATE FUNCTION notify_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_notify('letter_kiosk_changed', TG_TABLE_NAME);
        RETURN NULL;
    END $$;
    CREATE TRIGGER letters_changed AFTER INSERT OR UPDATE OR DELETE ON letters
        FOR EACH STATEMENT EXECUTE FUNCTION notify_changed();
    CREATE TRIGGER outbox_changed AFTER INSERT OR UPDATE OR DELETE ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION notify_changed();
    CREATE TRIGGER kiosks_changed AFTER INSERT OR UPDATE ON kiosks
        FOR EACH STATEMENT EXECUTE FUNCTION notify_changed();
    """,
    # 1 -> 2: least privilege. Two group roles: a kiosk's login is made a member of
    # letter_kiosk, a machine that only sends email (`hub send`) of letter_kiosk_sender. Neither
    # can delete anything, read the audit or a conflict's content, or read a visitor's name,
    # town or consent; a kiosk may add letters and note itself seen, and both may claim and
    # settle emails (which needs the letter's text and the visitor's copy address).
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'letter_kiosk') THEN
            CREATE ROLE letter_kiosk NOLOGIN;
        END IF;
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'letter_kiosk_sender') THEN
            CREATE ROLE letter_kiosk_sender NOLOGIN;
        END IF;
    END $$;
    REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC;
    GRANT SELECT ON hub_schema TO letter_kiosk, letter_kiosk_sender;
    GRANT SELECT, INSERT ON kiosks TO letter_kiosk;
    GRANT UPDATE (name, last_seen, not_uploaded, printer) ON kiosks TO letter_kiosk;
    GRANT INSERT ON letters TO letter_kiosk;
    GRANT SELECT (uuid, content_sha256, kiosk_id, session_id, recipient_id, language, by_print,
                  by_email, received_at) ON letters TO letter_kiosk;
    GRANT SELECT (uuid, local_id, language, full_text, short_name, email, send_copy,
                  recipient_id) ON letters TO letter_kiosk, letter_kiosk_sender;
    GRANT INSERT ON letter_conflicts TO letter_kiosk;
    GRANT SELECT (id, uuid, kiosk_id, received_at) ON letter_conflicts TO letter_kiosk;
    GRANT INSERT ON outbox TO letter_kiosk;
    GRANT SELECT ON outbox TO letter_kiosk, letter_kiosk_sender;
    GRANT UPDATE (state, attempts, next_attempt_at, lease_owner, lease_until, updated_at,
                  sent_at, last_code, last_error, maybe_delivered, note)
        ON outbox TO letter_kiosk, letter_kiosk_sender;
    GRANT INSERT ON audit TO letter_kiosk, letter_kiosk_sender;
    GRANT USAGE ON SEQUENCE letter_conflicts_id_seq, outbox_id_seq, audit_id_seq
        TO letter_kiosk, letter_kiosk_sender;
    """,
    # 2 -> 3: quieter news. A kiosk's heartbeat (its last_seen, every few seconds) no longer
    # tells every panel "something changed": only a new kiosk, a new name, letters waiting or a
    # printer that changed does. And no login may create objects in the public schema (the
    # default before PostgreSQL 15).
    """
    DROP TRIGGER kiosks_changed ON kiosks;
    CREATE TRIGGER kiosk_added AFTER INSERT ON kiosks
        FOR EACH STATEMENT EXECUTE FUNCTION notify_changed();
    CREATE TRIGGER kiosk_changed AFTER UPDATE ON kiosks FOR EACH ROW
        WHEN (OLD.name IS DISTINCT FROM NEW.name
              OR OLD.not_uploaded IS DISTINCT FROM NEW.not_uploaded
              OR OLD.printer IS DISTINCT FROM NEW.printer)
        EXECUTE FUNCTION notify_changed();
    REVOKE CREATE ON SCHEMA public FROM PUBLIC;
    """,
]

VERSION = len(MIGRATIONS)


def version(conn: psycopg.Connection[tuple[object, ...]]) -> int:
    """The hub's schema version; 0 for a database ``hub init`` never touched."""
    row = conn.execute("SELECT to_regclass('hub_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    got = conn.execute("SELECT version FROM hub_schema").fetchone()
    return int(str(got[0])) if got else 0


def check(conn: psycopg.Connection[tuple[object, ...]], url: str) -> int:
    """The hub's version if this kiosk can use it; else ``HubRefused`` saying what to do."""
    have = version(conn)
    if have == VERSION:
        return have
    if have == 0:
        detail = "the hub has no tables yet: run `python -m kiosk hub init` once (docs/hub.md)"
    elif have < VERSION:
        detail = (f"the hub's tables are version {have}, this kiosk needs {VERSION}: run "
                  "`python -m kiosk hub init` with this kiosk's version to move them on")
    else:
        detail = (f"the hub's tables are version {have}, newer than this kiosk knows "
                  f"({VERSION}): update this kiosk's software")
    raise HubRefused("schema", url, detail)


def init(conn: psycopg.Connection[tuple[object, ...]], url: str) -> tuple[int, int]:
    """Create or move on the hub's tables, in one transaction; returns (before, after)."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_INIT_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS hub_schema (version integer NOT NULL)")
        before = version(conn)
        if before > VERSION:
            raise HubRefused("schema", url, (
                f"the hub's tables are version {before}, newer than this kiosk knows "
                f"({VERSION}): run `hub init` from an up-to-date kiosk"))
        if conn.execute("SELECT count(*) FROM hub_schema").fetchone() == (0,):
            conn.execute("INSERT INTO hub_schema (version) VALUES (0)")
        for script in MIGRATIONS[before:]:
            conn.execute(script.encode())
        conn.execute("UPDATE hub_schema SET version = %s", (VERSION,))
    return before, VERSION
