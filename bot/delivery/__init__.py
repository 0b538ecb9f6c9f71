"""Delivery without Telegram: the exactly-once ledger (`ledger`) and Telegram's rate limits as a
pacer: one process's (`pacing`) or one budget shared by every instance in Redis
(`redis_pacer`), behind the same small interface. The broadcaster that sends ledger rows lives
in bot.telegram, the one package that speaks the Bot API.
"""
