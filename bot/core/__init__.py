"""Discord-free answering, digest and formatting: what the bot says, not how it is sent.

Import from the modules; this file imports none of them.
"""

__all__ = [
    "answer_decision",
    "answerability",
    "answering",
    "citations",
    "conversation",
    "digest",
    "following",
    "formatting",
    "monitoring",
    "perspectives",
    "reading",
    "services",
    "status",
    "timeline",
    "worker",
]
