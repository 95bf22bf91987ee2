"""Discord-free answering, digest and formatting: what the bot says, not how it is sent."""
