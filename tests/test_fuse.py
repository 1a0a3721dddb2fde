"""jit/fuse.py: ``xs[i], xs[j] = xs[j], xs[i]`` of an exact list is one exchange of
item pointers; it must act exactly as the interpreter's reads and stores."""
import sys

import jit
from jit.__main__ import show


def bubble(xs):
    n = len(xs)
    for i in range(n):
        for j in range(n - 1 - i):
            if xs[j] > xs[j + 1]:
                xs[j], xs[j + 1] = xs[j + 1], xs[j]
    return xs


def swap(xs, i, j):
    xs[i], xs[j] = xs[j], xs[i]
    return xs


def reverse(xs):
    i, j = 0, len(xs) - 1
    while i < j:
        xs[i], xs[j] = xs[j], xs[i]
        i += 1
        j -= 1
    return xs


def two_lists(a, b, i):
    a[i], b[i] = b[i], a[i]
    return a, b


def _outcome(f, *args):
    try:
        return "ok", f(*args)
    except Exception as e:
        return "exc", type(e), str(e)


def test_the_exchange_is_one_op():
    text = show(swap.__code__, "spec", ([3, 1, 2], 0, 2))
    assert "seq_swap" in text and "seq_setitem" not in text
    assert "seq_swap" not in show(two_lists.__code__, "spec", ([1], [2], 0))


def test_sorting_and_reversing():
    cb, cr = jit.compile(bubble), jit.compile(reverse)
    for xs in ([5, 3, 9, 1, 1, 0, -4], [2.5, -1.0, 3.25], ["b", "a", "c"], [], [1],
               [3, 2.5, True, 10**30, -10**30], list(range(50, 0, -1))):
        assert cb(list(xs)) == bubble(list(xs))
        assert cr(list(xs)) == reverse(list(xs))


def test_indexes_at_and_past_the_ends():
    cs = jit.compile(swap)
    for i, j in [(0, 0), (0, 4), (4, 0), (2, 2), (-1, 0), (0, -5), (-6, 0), (5, 0), (0, 5),
                 (2**62, 0), (-2**63, 1), (3, 2**63 - 1)]:
        want, got = [10, 20, 30, 40, 50], [10, 20, 30, 40, 50]
        assert _outcome(cs, got, i, j) == _outcome(swap, want, i, j), (i, j)
        assert got == want, (i, j)


def test_other_sequences_and_lists_of_two():
    cs, ct = jit.compile(swap), jit.compile(two_lists)

    class Loud(list):
        def __setitem__(self, k, v):
            super().__setitem__(k, ("set", v))

    for seq in ([1, 2, 3], Loud([1, 2, 3]), bytearray(b"abc")):
        assert _outcome(cs, seq.copy() if hasattr(seq, "copy") else seq, 0, 2) == \
            _outcome(swap, seq.copy() if hasattr(seq, "copy") else seq, 0, 2)
    assert _outcome(cs, (1, 2), 0, 1) == _outcome(swap, (1, 2), 0, 1)
    assert ct([1, 2], [3, 4], 1) == two_lists([1, 2], [3, 4], 1)
    assert _outcome(ct, [1], [2, 3], 1) == _outcome(two_lists, [1], [2, 3], 1)


def test_exchanges_change_no_reference_counts():
    cs = jit.compile(swap)
    a, b = object(), object()
    xs = [a, b, a]
    cs(xs, 0, 1)
    before = sys.getrefcount(a), sys.getrefcount(b)
    for k in range(101):
        cs(xs, k % 3, (k + 1) % 3)
    assert (sys.getrefcount(a), sys.getrefcount(b)) == before
    assert sorted(map(id, xs)) == sorted(map(id, [a, b, a]))


def flip(xs, lo, hi):
    """Reverse xs[lo..hi] through a temporary, as a pancake flip does."""
    t = None
    while lo < hi:
        t = xs[lo]
        xs[lo] = xs[hi]
        xs[hi] = t
        lo += 1
        hi -= 1
    return xs, t


def test_an_exchange_through_a_temporary():
    assert "seq_swap" in show(flip.__code__, "spec", ([1, 2, 3], 0, 2))
    cf = jit.compile(flip)
    for xs, lo, hi in [([1, 2, 3, 4, 5], 0, 4), ([1, 2, 3], 0, 2), ([1.5, "a", None], 0, 2),
                       ([1, 2], 0, 5), ([1, 2, 3], -3, -1), ([], 0, 0), ([7], 0, 0)]:
        want, got = list(xs), list(xs)
        assert _outcome(cf, got, lo, hi) == _outcome(flip, want, lo, hi), (xs, lo, hi)
        assert got == want
    a, b = object(), object()
    ys = [a, b, a, b]
    cf(ys, 0, 3)
    before = sys.getrefcount(a), sys.getrefcount(b)
    for _ in range(51):
        cf(ys, 0, 3)
    assert (sys.getrefcount(a), sys.getrefcount(b)) == before


def maybe_unbound(xs, flag):
    if flag:
        j = 1
    xs[0], xs[j] = xs[j], xs[0]
    return xs


def test_an_index_that_may_be_unbound():
    c = jit.compile(maybe_unbound)
    for xs, flag in (([1, 2], True), ([1, 2], False), ([3, 4], True)):
        assert _outcome(c, list(xs), flag) == _outcome(maybe_unbound, list(xs), flag)


class Clearer:
    """A temporary's old value whose release empties the list being exchanged in."""
    def __init__(self, xs, log):
        self.xs, self.log = xs, log

    def __del__(self):
        self.log.append(list(self.xs))
        self.xs.clear()


def through_a_temporary(xs, log):
    t = Clearer(xs, log)
    t = xs[0]
    xs[0] = xs[1]
    xs[1] = t
    return xs


def test_the_temporary_is_released_where_it_was():
    c = jit.compile(through_a_temporary)
    for _ in range(3):
        want_log, got_log = [], []
        assert _outcome(c, [1, 2, 3], got_log) == _outcome(through_a_temporary, [1, 2, 3], want_log)
        assert got_log == want_log == [[1, 2, 3]]
