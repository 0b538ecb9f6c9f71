"""What users read, independent of any chat platform: the zh/en string catalogue (`i18n`),
HTML messages that fit Telegram's limits (`messages`), the inline-button grammar
(`buttons`), schedules and edition names in words (`when`), and refused config files said in
the admin's language (`config_errors`). No database and no python-telegram-bot here, so digests and alerts are rendered
below the Telegram package and stored ready to send.
"""
