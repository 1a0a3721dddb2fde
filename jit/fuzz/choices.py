"""Sources of choices for the program generator.

Every decision the generator makes is one call ``draw(n)`` returning an int in
``range(n)``, where 0 is always the *simplest* option.  Three sources exist:

* :class:`RandomChooser` -- a seeded ``random.Random`` (fast; the campaign and
  the construct-coverage test use it).  It records the values it produced, so
  a program can be replayed and shrunk.
* :class:`BufferChooser` -- replays a recorded list of ints (values out of
  range are reduced modulo ``n``; an exhausted buffer yields 0, the simplest
  choice).  The shrinker edits buffers and replays them.
* :class:`HypothesisChooser` -- draws from a hypothesis ``draw`` function, so
  hypothesis does the shrinking (tests use this).
"""
from __future__ import annotations

import random


class Chooser:
    """Base class: derived helpers built on ``draw``."""

    def draw(self, n: int) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    def integer(self, lo: int, hi: int) -> int:
        """An int in [lo, hi]; shrinks towards lo."""
        if hi <= lo:
            return lo
        return lo + self.draw(hi - lo + 1)

    def boolean(self, p: float = 0.5) -> bool:
        """True with probability p; shrinks towards False."""
        if p <= 0:
            return False
        if p >= 1:
            return True
        return self.draw(1000) >= int(round((1.0 - p) * 1000))

    def pick(self, seq):
        """One element of seq; shrinks towards seq[0]."""
        return seq[self.draw(len(seq))]

    def weighted(self, weights) -> int:
        """Index i with probability weights[i]/sum; shrinks towards the first
        option with non-zero weight."""
        ints = [max(0, int(round(w * 10))) for w in weights]
        total = sum(ints)
        if total <= 0:
            raise ValueError("no option has a positive weight")
        v = self.draw(total)
        for i, w in enumerate(ints):
            if v < w:
                return i
            v -= w
        return len(ints) - 1  # pragma: no cover


class RandomChooser(Chooser):
    def __init__(self, seed=None, rng=None):
        self.rng = rng if rng is not None else random.Random(seed)
        self.record: list[int] = []

    def draw(self, n: int) -> int:
        v = self.rng.randrange(n) if n > 1 else 0
        self.record.append(v)
        return v


class BufferChooser(Chooser):
    def __init__(self, buffer):
        self.buffer = list(buffer)
        self.pos = 0
        self.record: list[int] = []

    def draw(self, n: int) -> int:
        if self.pos < len(self.buffer):
            v = self.buffer[self.pos]
            self.pos += 1
            v = v % n if n > 0 else 0
        else:
            v = 0
        self.record.append(v)
        return v


class HypothesisChooser(Chooser):
    def __init__(self, draw):
        from hypothesis import strategies as st

        self._draw = draw
        self._st = st
        self._cache: dict[int, object] = {}
        self.record: list[int] = []

    def draw(self, n: int) -> int:
        if n <= 1:
            v = 0
        else:
            s = self._cache.get(n)
            if s is None:
                s = self._cache[n] = self._st.integers(0, n - 1)
            v = self._draw(s)
        self.record.append(v)
        return v
