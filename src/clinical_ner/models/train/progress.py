"""Training progress for the job log: epoch, step, tokens/s, loss and estimated time left, at most every
`every` seconds (and at each epoch's end), never every step."""

from __future__ import annotations

import time
from collections.abc import Callable

PROGRESS_SECONDS = 30.0


def duration(seconds: float) -> str:
    """``1h02m``, ``4m05s``, ``12s``."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


class Progress:
    """Logs training progress; the time left is extrapolated from the steps taken since this run started
    (a resumed run counts only its own steps)."""

    def __init__(
        self,
        log: Callable[[str], None],
        total_steps: int,
        done_steps: int = 0,
        every: float = PROGRESS_SECONDS,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.log, self.total_steps, self.every, self.clock = log, total_steps, every, clock
        self.started = self.last = clock()
        self.first_step = done_steps
        self.tokens = 0

    def left(self, global_step: int) -> float | None:
        """Estimated seconds to the last step (None before the first step of this run)."""
        done = global_step - self.first_step
        if done <= 0:
            return None
        return (self.clock() - self.started) / done * max(0, self.total_steps - global_step)

    def line(self, epoch: int, epochs: int, step: int, steps: int, global_step: int, loss: float) -> str:
        now = self.clock()
        rate = self.tokens / (now - self.last) if now > self.last else 0.0
        left = self.left(global_step)
        return (
            f"epoch {epoch}/{epochs} step {step}/{steps} (total {global_step}/{self.total_steps}): "
            f"loss {loss:.4f}, {rate:,.0f} tokens/s, "
            f"about {duration(left) if left is not None else '?'} left"
        )

    def step(
        self, epoch: int, epochs: int, step: int, steps: int, global_step: int, loss: float | Callable[[], float],
        tokens: int,
    ) -> None:
        """Count a step's tokens; log a line when `every` seconds have passed since the last one. `loss` may
        be a function, called only when a line is logged (reading a loss back from a GPU waits for it)."""
        self.tokens += tokens
        if self.clock() - self.last >= self.every:
            self.log(self.line(epoch, epochs, step, steps, global_step, loss() if callable(loss) else loss))
            self.last, self.tokens = self.clock(), 0
