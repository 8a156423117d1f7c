"""Everything Qt lives here, and only here."""
