"""Digests: editions and their schedule (`schedule`), what a chat's digest holds and how it reads
(`compose`), and planning fires and keyword alerts into the delivery ledger (`plan`).
"""
