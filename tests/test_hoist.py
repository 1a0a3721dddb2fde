"""Global guards hoisted out of quiet loops (jit/hoist.py): where they go, that a
changed global is still seen (before the loop, and at a loop's tick), and that
results and reference counts stay exact."""
import signal
import sys

import pytest

import jit
from jit.__main__ import show


def dispatcher(compiled):
    from runtime import funcobject
    return funcobject.get_state(compiled).dispatcher


def nested_abs(n):
    s = 0
    for i in range(n):
        for j in range(i):
            s += abs(j - 2 * i) % 7
    return s


def while_abs(n, k):
    s = 0
    i = 0
    while i < n:
        s += abs(i - k)
        i += 1
    return s


def noisy(n, out):
    s = 0
    for i in range(n):
        out[0] = i          # the old item's release could run a __del__
        s += abs(i - 3)
    return s


def hp_step(i, k):
    return (i * k) % 11


def hp_step_other(i, k):
    return i + k


def calls_step(n, k):
    s = 0
    for i in range(n):
        s += hp_step(i, k)
    return s


def hp_grow(i, k):
    return i * k            # overflows 64 bits for big k: the callee deoptimises


def calls_grow(n, k):
    s = 0
    for i in range(n):
        s += hp_grow(i, k) % 1000
    return s


def _spec_text(func, args):
    return show(func.__code__, "spec", args, func.__globals__)


def test_guards_leave_both_quiet_loops():
    text = _spec_text(nested_abs, (10,))
    pre = text[text.index("^b"):]
    blocks = text.split("\n^")
    hoisted = [b for b in blocks if "hoisted=True" in b]
    assert len(hoisted) == 1 and hoisted[0].split("(")[0].endswith(".pre")
    assert "name='range'" in hoisted[0] and "name='abs'" in hoisted[0]
    assert text.count("hoisted=True") == 2
    assert "revalidate=" in pre
    c = jit.compile(nested_abs)
    for n in (0, 1, 2, 7, 40):
        assert c(n) == nested_abs(n)


def test_a_noisy_loop_keeps_its_guards():
    text = _spec_text(noisy, (10, [0]))
    assert "hoisted=True" not in text and ".pre" not in text
    c = jit.compile(noisy)
    assert c(20, [None]) == noisy(20, [None])


def test_rebinding_before_the_loop_deopts_at_the_preheader():
    g = while_abs.__globals__
    c = jit.compile(while_abs)
    assert c(50, 20) == while_abs(50, 20)
    text = _spec_text(while_abs, (50, 20))
    assert "hoisted=True" in text
    g["abs"] = lambda x: -1     # shadows the builtin: the hoisted guard fails
    try:
        assert c(50, 20) == while_abs(50, 20) == -50
        assert c(0, 20) == 0
    finally:
        del g["abs"]
    assert c(50, 20) == while_abs(50, 20)


def test_a_compiled_callee_rebound_between_calls():
    g = calls_step.__globals__
    saved = {k: g[k] for k in ("hp_step", "calls_step")}
    g["hp_step"] = jit.compile(saved["hp_step"])
    g["calls_step"] = c = jit.compile(saved["calls_step"])
    try:
        assert c(100, 3) == sum((i * 3) % 11 for i in range(100))
        spec = dispatcher(c).rows[0][1]
        assert "hoisted=True" in str(spec.native.ir) and "strict=True" in str(spec.native.ir)
        g["hp_step"] = hp_step_other
        assert c(100, 3) == sum(i + 3 for i in range(100))
        g["hp_step"] = jit.compile(saved["hp_step"])
        assert c(100, 3) == sum((i * 3) % 11 for i in range(100))
    finally:
        g.update(saved)


def test_a_callee_deoptimising_in_the_loop_resumes_the_caller_exactly():
    g = calls_grow.__globals__
    saved = {k: g[k] for k in ("hp_grow", "calls_grow")}
    g["hp_grow"] = jit.compile(saved["hp_grow"])
    g["calls_grow"] = c = jit.compile(saved["calls_grow"])
    try:
        assert c(200, 3) == saved["calls_grow"](200, 3)
        big = 1 << 61              # i * big leaves 64 bits from i = 4 on
        for _ in range(3):
            assert c(200, big) == sum((i * big) % 1000 for i in range(200))
            assert c(200, 3) == sum((i * 3) % 1000 for i in range(200))
    finally:
        g.update(saved)


def hp_item(items, i):
    return items[i] * 2


def hp_item_other(items, i):
    return 1000


def calls_item(items, n):
    s = 0
    for i in range(n):
        s += hp_item(items, i)
    return s


class Rebinds:
    """Its product rebinds hp_item: the callee's deopt runs this in the interpreter."""
    def __mul__(self, other):
        calls_item.__globals__["hp_item"] = hp_item_other
        return 7


def test_a_callee_running_code_that_rebinds_the_callee_mid_loop():
    g = calls_item.__globals__
    saved = {k: g[k] for k in ("hp_item", "calls_item")}
    try:
        expected = saved["calls_item"]([1, 2, 3, Rebinds(), 5, 6], 6)
        assert expected == 2 + 4 + 6 + 7 + 1000 + 1000
        g["hp_item"] = saved["hp_item"]
        g["hp_item"] = jit.compile(saved["hp_item"])
        g["calls_item"] = c = jit.compile(saved["calls_item"])
        assert c([1, 2, 3, 4, 5, 6], 6) == 42
        assert "strict=True" in str(dispatcher(c).rows[0][1].native.ir)
        assert c([1, 2, 3, Rebinds(), 5, 6], 6) == expected
    finally:
        g.update(saved)


def hp_zero(i):
    return 0


def hp_one(i):
    return 1


def spins(limit):
    s = 0
    i = 0
    while s < limit:       # forever while hp_zero is bound to hp_zero
        s += hp_zero(i)
        i += 1
    return s, i


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
def test_a_signal_handler_rebinding_the_callee_mid_loop_is_seen():
    """The handler runs at a tick; the tick re-checks the hoisted global, so the
    iterations after it call the new function and the loop ends (without the
    re-check it would spin on the old one: a second alarm then raises)."""
    g = spins.__globals__
    saved = {k: g[k] for k in ("hp_zero", "spins")}
    g["hp_zero"] = jit.compile(saved["hp_zero"])
    g["spins"] = c = jit.compile(saved["spins"])

    def handler(signum, frame):
        if g["hp_zero"] is hp_one:
            raise RuntimeError("the loop did not see the rebinding")
        g["hp_zero"] = hp_one
        signal.setitimer(signal.ITIMER_REAL, 5.0)

    old = signal.signal(signal.SIGALRM, handler)
    try:
        assert c(0) == (0, 0)
        spec = dispatcher(c).rows[0][1]
        assert "revalidate=" in str(spec.native.ir) and "hoisted=True" in str(spec.native.ir)
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        s, i = c(1000)
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert s == 1000 and i > 1000
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        g.update(saved)


def test_hoisted_loops_leak_nothing():
    g = calls_step.__globals__
    saved = {k: g[k] for k in ("hp_step", "calls_step")}
    g["hp_step"] = step = jit.compile(saved["hp_step"])
    g["calls_step"] = c = jit.compile(saved["calls_step"])
    w = jit.compile(while_abs)
    try:
        for _ in range(5):
            c(50, 3), w(30, 7)
        before = (sys.getrefcount(step), sys.getrefcount(abs), sys.getrefcount(range))
        for _ in range(200):
            c(50, 3), w(30, 7)
        assert (sys.getrefcount(step), sys.getrefcount(abs), sys.getrefcount(range)) == before
    finally:
        g.update(saved)


# ---- loop-invariant arithmetic (hoist_invariants) ----------------------------------

def pair_search(n, a, b):
    found = 0
    c = 0
    while c < n:
        s = a * b + c           # a * b: the same every iteration
        if s % 7 == 0:
            found += 1
        c += 1
    return found


def logs_then_grows(n, a, b, log):
    s = 0
    i = 0
    while i < n:
        log.append(i)           # done before the product would overflow
        s += (a * b) % 1000
        i += 1
    return s


def maybe_divides(n, a, b, flag):
    s = 0
    for i in range(n):
        if flag:
            s += a // b         # not run every iteration: stays in the loop
        s += i
    return s


def rebinds_operand(n, a):
    s = 0
    b = 1
    for i in range(n):
        s += a * b              # b changes in the loop: not invariant
        b += 1
    return s


def guard_and_invariant(n, a, b):
    s = 0
    for i in range(n):
        s += abs(i - a * b)     # a guard (abs) and an invariant product: one preheader
    return s


def _block(text, label_end):
    return [b for b in text.split("\n^") if b.split("(")[0].endswith(label_end)]


def test_invariant_arithmetic_moves_to_the_preheader():
    text = _spec_text(pair_search, (10, 3, 4))
    (pre,) = _block(text, ".pre")
    assert "int_op op='*'" in pre and "name='a'" in pre and "name='b'" in pre
    assert "op='*'" not in text.replace(pre, "")
    c = jit.compile(pair_search)
    for args in ((0, 3, 4), (50, 3, 4), (50, -3, 7), (30, 2 ** 40, 2 ** 30)):
        assert c(*args) == pair_search(*args)


def test_a_hoisted_product_that_overflows_resumes_at_the_loop_exactly():
    c = jit.compile(logs_then_grows)
    assert c(5, 3, 4, []) == logs_then_grows(5, 3, 4, [])
    for n in (0, 1, 6):
        mine, theirs = [], []
        big = 2 ** 40
        assert c(n, big, big, mine) == logs_then_grows(n, big, big, theirs)
        assert mine == theirs
    assert c(6, 3, 4, []) == logs_then_grows(6, 3, 4, [])


def test_a_fallible_op_not_run_every_iteration_stays():
    text = _spec_text(maybe_divides, (10, 7, 2, True))
    assert "op='//'" not in "".join(_block(text, ".pre"))
    c = jit.compile(maybe_divides)
    assert c(10, 7, 2, True) == maybe_divides(10, 7, 2, True)
    assert c(10, 7, 0, False) == maybe_divides(10, 7, 0, False)
    assert dispatcher(c).deopt_count == 0
    with pytest.raises(ZeroDivisionError):
        c(10, 7, 0, True)


def test_a_local_stored_in_the_loop_is_not_invariant():
    c = jit.compile(rebinds_operand)
    for n in (0, 1, 10, 100):
        assert c(n, 5) == rebinds_operand(n, 5)


def test_guards_and_invariants_share_one_preheader():
    text = _spec_text(guard_and_invariant, (10, 2, 3))
    (pre,) = _block(text, ".pre")
    assert "hoisted=True" in pre and "op='*'" in pre
    c = jit.compile(guard_and_invariant)
    for args in ((0, 2, 3), (20, 2, 3), (20, -5, 3)):
        assert c(*args) == guard_and_invariant(*args)


def hp_leaf(i):
    return i * 3 + 1


def loop_leaf(n):
    s = 0
    for i in range(n):
        s += hp_leaf(i)
    return s


def _loop_leaf_outcomes(fn, depths):
    """fn(20) under ``depth`` more frames, near the recursion limit: its result, or
    the RecursionError and the traceback's function names."""
    import traceback

    def down(n):
        if n == 0:
            return fn(20)
        return down(n - 1)
    out = []
    limit = sys.getrecursionlimit()
    base = len(traceback.extract_stack())
    sys.setrecursionlimit(base + 200)
    try:
        for n in depths:
            try:
                out.append(down(n))
            except RecursionError as e:
                names = [t.name for t in traceback.extract_tb(e.__traceback__)]
                out.append((str(e), sorted(set(names))))
    finally:
        sys.setrecursionlimit(limit)
    return out


def test_an_inlined_leaf_calls_headroom_check_leaves_the_loop():
    g = loop_leaf.__globals__
    saved = {k: g[k] for k in ("hp_leaf", "loop_leaf")}
    depths = range(185, 200)
    expected = _loop_leaf_outcomes(loop_leaf, depths)
    assert expected[0] == loop_leaf(20) and expected[-1] != expected[0]
    g["hp_leaf"] = jit.compile(saved["hp_leaf"])
    g["loop_leaf"] = c = jit.compile(saved["loop_leaf"])
    try:
        assert c(20) == saved["loop_leaf"](20)
        text = str(dispatcher(c).rows[0][1].native.ir)
        pre = [b for b in text.split("\n^") if b.split("(")[0].endswith(".pre")]
        assert len(pre) == 1 and "guard_depth hoisted=True" in pre[0]
        assert "depth_checked=True" in text and "revalidate_depth=True" in text
        # near the limit the loop deoptimises before it starts, and the interpreter
        # meets the limit (a deopt that cannot box the loop's range at the very limit
        # raises the interpreter's RecursionError without the function's own
        # traceback entry: the messages, not the entries, are compared)
        got = _loop_leaf_outcomes(c, depths)
        assert [r if isinstance(r, int) else r[0] for r in got] == \
            [r if isinstance(r, int) else r[0] for r in expected]
    finally:
        g.update(saved)


def spin_leaf(limit):
    s = 0
    i = 0
    while s < limit:       # forever while hp_zero is hp_zero: until the limit is lowered
        s += hp_zero(i)
        i += 1
    return s, i


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
def test_a_limit_lowered_by_a_signal_handler_mid_loop_is_met():
    """The tick re-checks the headroom the hoisted check saw: a handler that lowers
    the recursion limit to the current depth makes the next inlined call raise, as
    the interpreter's does."""
    g = spin_leaf.__globals__
    saved = {k: g[k] for k in ("hp_zero", "spin_leaf")}
    g["hp_zero"] = jit.compile(saved["hp_zero"])
    g["spin_leaf"] = c = jit.compile(saved["spin_leaf"])
    limit = sys.getrecursionlimit()

    def handler(signum, frame):
        import traceback
        sys.setrecursionlimit(len(traceback.extract_stack()) + 2)

    old = signal.signal(signal.SIGALRM, handler)
    try:
        assert c(0) == (0, 0)
        assert "revalidate_depth=True" in str(dispatcher(c).rows[0][1].native.ir)
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        with pytest.raises(RecursionError):
            c(1)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        sys.setrecursionlimit(limit)
        g.update(saved)
