"""The visitor's journey and letters, in plain Python. Nothing here imports Qt."""
