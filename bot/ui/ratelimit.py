"""Per-client request budget for questions (web page and API), so one client cannot starve the others.

A moving window from the ``limits`` library, in this server process's memory: a restart forgets it, and
behind a reverse proxy every client shares the proxy's address — set the limit there instead.
"""

from __future__ import annotations

import logging
import time

from limits import parse
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

log = logging.getLogger(__name__)

TOO_FAST_VI = "Bạn đã gửi quá nhiều câu hỏi trong thời gian ngắn. Hãy đợi khoảng {seconds} giây rồi hỏi tiếp."


class RateLimiter:
    def __init__(self, rule: str | None) -> None:
        """``rule`` like "30/minute" or "5/second"; None or "" turns limiting off."""
        self.item = parse(rule) if rule else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def wait_seconds(self, client: str) -> int:
        """0 when ``client`` may ask now (and counts the request), else the seconds until it may."""
        if self.item is None or self.limiter.hit(self.item, client or "?"):
            return 0
        reset_at, _ = self.limiter.get_window_stats(self.item, client or "?")
        seconds = max(1, round(reset_at - time.time()))
        log.warning("rate limit: %s must wait %d s", client, seconds)
        return seconds

    def message(self, seconds: int) -> str:
        return TOO_FAST_VI.format(seconds=seconds)
