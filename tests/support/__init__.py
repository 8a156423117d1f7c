"""Helpers the tests share: real peers (a private PostgreSQL cluster, a misbehaving TCP proxy).

The tests' other helpers move into this package over time.
"""
