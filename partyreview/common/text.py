"""Short forms of what users wrote, for places that name a thing in one line."""

HEADLINE_CHARS = 30


def headline(text: str, limit: int = HEADLINE_CHARS) -> str:
    """A text's first ``limit`` characters on one line, "…" when cut: how lists, queues, notifications and
    escalations name a measure ("完善支部党员大会会议记录，做到…"), never by its number alone."""
    words = " ".join(str(text or "").split())
    return words if len(words) <= limit else words[: limit - 1] + "…"
