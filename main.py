"""Start the kiosk: ``python main.py [--config FILE] [--data-dir DIR] [--windowed]``."""

from kiosk.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
