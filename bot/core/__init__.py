"""Discord-free answering, digest and formatting: what the bot says, not how it is sent.

Import from the modules; this file imports none of them.
"""

__all__ = [
    "answer_decision",
    "answerability",
    "answering",
    "chat_model",
    "citations",
    "configured_ids",
    "conversation",
    "digest",
    "following",
    "formatting",
    "gguf_chat",
    "monitoring",
    "news_sentences",
    "openai_chat",
    "perspectives",
    "reading",
    "relevance",
    "services",
    "status",
    "support_check",
    "timeline",
    "worker",
    "writing",
    "written_check",
]
