"""Letter Kiosk's benchmarks: ``python -m benchmarks`` (see docs/performance.md).

Not part of the test suite: pytest collects only ``tests/``, and nothing here is named test_*.
"""
