"""Discord-free answering, digest and formatting: what the bot says, not how it is sent.

Import from the modules; this file imports none of them.
"""

__all__ = [
    "answerability",
    "answering",
    "chat_model",
    "citations",
    "conversation",
    "digest",
    "following",
    "formatting",
    "gguf_chat",
    "monitoring",
    "openai_chat",
    "perspectives",
    "reading",
    "services",
    "status",
    "support_check",
    "timeline",
    "writing",
    "written_check",
]
