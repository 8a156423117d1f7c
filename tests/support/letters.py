"""Letters kept in a store the way the kiosk keeps them, and what became of them.

``queue_letters`` walks the visitor's journey (the domain's, no window) and keeps its letters
for email; ``keep_letter`` keeps one letter with a print job; ``add_letters`` fills a store with
many visitors whose every personal detail is unique (a scan of raw bytes finds each one).
"""

from __future__ import annotations

from kiosk.app.letters import keep_letters
from kiosk.config import Campaign
from kiosk.domain.journey import Delivery, Journey, Step
from kiosk.domain.letter import Letter, Signer, make_letter
from kiosk.store import Store, print_jobs
from kiosk.store import outbox as q

BODY_FR = "Veuillez protéger ces hommes. « Maintenant » — œuvre ! Ça presse, déjà trop tard."

FRENCH_BODY = (
    "Monsieur le Premier ministre, ÉCOUTEZ : « Maintenant » ! Ève, Èze, À bientôt, ÇA SUFFIT, "
    "Ô Canada, ŒUVRE et cœur, déjà, garçon, hôpital, où, élève, fête, capharnaüm, naïf, "
    "Noël, l’été dernier — 🏳️‍🌈"
)


# --- for email ------------------------------------------------------------------------------------


def queue_letters(
    store,
    campaign: Campaign,
    visitors: int = 1,
    *,
    recipients: tuple[str, ...] = ("pm",),
    lang: str = "fr",
    body: str = BODY_FR,
    first_name: str = "Zoë",
    last_name: str = "Çelik",
    email: str = "zoe@example.com",
    send_copy: bool = False,
) -> list[int]:
    """Letters kept exactly as the kiosk keeps them; returns the new outbox ids."""
    ids: list[int] = []
    for _ in range(visitors):
        j = Journey(campaign)
        j.start()
        j.set_language(lang)
        for r in recipients:
            j.toggle_recipient(r)
        j.next()
        j.update(body=body)
        j.next()
        j.update(first_name=first_name, last_name=last_name, email=email, send_copy=send_copy)
        j.next()
        j.next()
        assert j.step is Step.DELIVER, j.problems()
        kept = keep_letters(store, campaign, j.session, j.letters(),
                            Delivery(print=False, email=True))
        ids += [k.outbox_id for k in kept if k.outbox_id is not None]
    return ids


def states(store) -> dict[int, str]:
    """Each outbox row's state, by id."""
    return {r["id"]: r["state"] for r in store.conn.execute("SELECT id, state FROM outbox")}


def message_ids(store) -> set[str]:
    return {r[0] for r in store.conn.execute("SELECT message_id FROM outbox")}


# --- for printing ---------------------------------------------------------------------------------


def keep_letter(store, campaign, body: str = FRENCH_BODY, lang: str = "fr",
                recipient: str = "pm", first: str = "Zoë", last: str = "Ñúñez-Çelik") -> int:
    """Keep one letter with a print job, as the kiosk does on confirm; return the job id."""
    letter = make_letter(campaign, recipient, lang, body,
                         Signer(first_name=first, last_name=last, city="Montréal"))
    kept = store.keep(session_id="s", campaign_id=campaign.campaign.id, letters=[letter],
                      by_print=True, by_email=False, emails=[None])
    return int(kept[0].print_job_id)


def job_row(store, job_id: int) -> dict:
    return dict(store.conn.execute("SELECT * FROM print_jobs WHERE id = ?", (job_id,)).fetchone())


# --- many visitors --------------------------------------------------------------------------------


def visitor(i: int) -> Signer:
    """Visitor ``i``: every personal detail unique, so a scan of raw bytes finds each one."""
    return Signer(first_name=f"Prenom{i:04d}", last_name=f"Zyxlast{i:04d}",
                  city=f"Villeprivee{i:04d}", postal_code=f"Q{i:04d}Z",
                  email=f"zyx.private{i:04d}@example.org", opt_in=True, send_copy=True)


def add_letters(store: Store, count: int, *, start: int = 0, body_words: int = 40) -> None:
    """``count`` visitors, one letter each, with a print job and an email."""
    for i in range(start, start + count):
        letter = Letter("pm", "fr", "Monsieur le Premier ministre,",
                        " ".join(f"mot{i}-{w} é" for w in range(body_words + i % 50)),
                        "Veuillez agréer mes salutations.", visitor(i),
                        ("Premier ministre", "Ottawa ON K1A 0A2"), True, "pm@pm.gc.ca")
        store.keep(session_id=f"session-{i}", campaign_id="test", letters=[letter],
                   by_print=True, by_email=True,
                   emails=[{"to_addr": "pm@pm.gc.ca", "subject": "Protégez-les",
                            "message_id": f"<letter-{i}@example.org>"}])


def deliver_all(store: Store) -> None:
    """Every job printed, every email sent: all of it old enough to purge with --days 0."""
    for (job_id,) in store.conn.execute("SELECT id FROM print_jobs").fetchall():
        print_jobs.mark_printed(store, job_id, "online")
    while (item := q.claim(store, "test:1:w", 60)) is not None:
        q.mark_sent(store, item.id, "test:1:w", code=250,
                    note=f"copy refused: 550 <{item.visitor_email}> unknown")
