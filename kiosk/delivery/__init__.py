"""Getting letters out: the receipt printer and the email outbox. No Qt here."""
