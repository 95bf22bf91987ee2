"""The `newsbot` command line and Discord bot."""
