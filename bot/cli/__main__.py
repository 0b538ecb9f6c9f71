"""`python -m bot.cli ...` runs the digestbot command line."""

from bot.cli import main

main()
