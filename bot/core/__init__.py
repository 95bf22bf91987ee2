"""Discord-free answering, digest and formatting: what the bot says, not how it is sent.

Import from the modules; this file imports none of them.
"""

__all__ = [
    "answer_decision",
    "answerability",
    "answering",
    "citations",
    "configured_ids",
    "conversation",
    "digest",
    "following",
    "formatting",
    "monitoring",
    "news_sentences",
    "perspectives",
    "reading",
    "relevance",
    "services",
    "status",
    "timeline",
    "worker",
]
