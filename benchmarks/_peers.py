"""Child process for the soak: the TCP ESC/POS printer emulator and an aiosmtpd server.

They run apart from the kiosk so that what they record (every byte printed, every message
received) does not count as the kiosk's memory. Protocol on stdin/stdout, one line each:
start → "PORTS <printer> <smtp>"; "count" → "COUNT <receipts> <messages>"; "quit".
"""

from __future__ import annotations

import sys

from tests.support.peers.escpos_printer import PrinterEmulator
from tests.support.peers.smtp_server import FaultySMTPServer


def main() -> None:
    with PrinterEmulator() as printer, FaultySMTPServer() as server:
        print(f"PORTS {printer.port} {server.port}", flush=True)
        for line in sys.stdin:
            if line.strip() == "count":
                print(f"COUNT {len(printer.receipts())} {len(server.messages)}", flush=True)
            elif line.strip() == "quit":
                break


if __name__ == "__main__":
    main()
