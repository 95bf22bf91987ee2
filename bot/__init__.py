"""The `newsbot` command line and Discord bot: Discord events and commands in, core calls out.

Import from the modules; this file imports none of them.
"""

__all__ = [
    "assembly",
    "cli",
    "client",
    "cogs",
    "command_options",
    "core",
    "core_threads",
    "digest_job",
    "errors",
    "follow_job",
    "markdown_escaping",
    "paging",
    "permissions",
    "polling",
    "refresh_job",
    "render",
    "runner",
    "written_edit",
]
