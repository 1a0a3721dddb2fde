"""The borrow pass: constants and locals used within a block take no reference,
unless the local is rebound (or the value handed on) before it is released."""
import sys

import jit
from jit.__main__ import show
from jit.borrow import borrow
from jit.ssa import build_ssa


def fill(flags, n):
    for j in range(n):
        flags[j] = False
    return flags


def rebind_mid_expression(x):
    x = [x]
    return x + (x := [2]) + x


def rebind_in_loop(n):
    acc = []
    cur = [0]
    for i in range(n):
        acc.append(cur[0] + len(cur := [i, i]))
    return acc, cur


def handed_on(a):
    b = a        # the load's reference moves into b: not borrowed
    return b


def test_spec_stage_marks_borrowed_loads_and_constants():
    text = show(fill.__code__, "spec", ([True] * 4, 4))
    line = next(ln for ln in text.splitlines() if "seq_setitem" in ln)
    assert "load_local slot=0 name='flags' borrow=True" in text, text
    assert "repr=False borrow=True" in text, text
    assert "decref" not in text.split("range_next")[1].split("br()")[0], text
    assert "%" in line


def test_rebinding_before_release_is_not_borrowed():
    fn = build_ssa(rebind_mid_expression.__code__)[0]
    borrow(fn)
    loads = [op for blk in fn.blocks for op in blk.ops
             if op.kind == "load_local" and op.attrs["name"] == "x"]
    assert not loads[1].attrs.get("borrow")      # x is stored before its release
    assert loads[-1].attrs.get("borrow")


def test_stolen_value_is_not_borrowed():
    fn = build_ssa(handed_on.__code__)[0]
    borrow(fn)
    assert not any(op.attrs.get("borrow") for blk in fn.blocks for op in blk.ops
                   if op.kind == "load_local")


def _check(f, *args):
    c = jit.compile(f, fallback=False)
    assert repr(c(*args)) == repr(f(*args))
    return c


def test_results_and_refcounts():
    for f, args in [(rebind_mid_expression, (1,)), (rebind_in_loop, (50,)),
                    (handed_on, (object(),))]:
        c = _check(f, *args)
        probe = [object() for _ in args]
        for _ in range(3):
            c(*args)
        before = [sys.getrefcount(a) for a in args] + [sys.getrefcount(p) for p in probe]
        for _ in range(200):
            c(*args)
        after = [sys.getrefcount(a) for a in args] + [sys.getrefcount(p) for p in probe]
        assert before == after, f.__name__
    flags = [True] * 10
    c = jit.compile(fill, fallback=False)
    for _ in range(5):      # specialisations compiled (their constants hold False)
        c(flags, 10)
    before = sys.getrefcount(False)
    for _ in range(50):
        c(flags, 10)
    after = sys.getrefcount(False)
    assert after == before
    assert flags == [False] * 10


def item_of_a_temporary(a, b):
    return divmod(a, b)[1] * 0.5     # the tuple is released before the item is used


def item_of_a_local(xs):
    return xs[0] * 0.5


def _lent_items(f, args):
    text = show(f.__code__, "spec", args)
    return [ln for ln in text.splitlines() if "seq_getitem" in ln and "borrow=True" in ln]


def test_item_is_not_lent_past_its_containers_release():
    assert _lent_items(item_of_a_local, ([1.5],))            # the frame slot keeps xs
    assert not _lent_items(item_of_a_temporary, (7.0, 2.0))
    c = _check(item_of_a_temporary, 7.0, 2.0)
    for _ in range(100):
        assert c(7.5, 2.0) == 0.75


SCALE = 2.5


class Rebinds:
    def __del__(self):
        globals()["SCALE"] = 4.0


def scaled(xs):
    t = 0.0
    for x in xs:
        t += x * SCALE       # SCALE: unboxed, then released at once
    return t


def scaled_rebinding(n):
    t = 0.0
    for i in range(n):
        t += i * SCALE
        Rebinds()            # its __del__ rebinds SCALE: seen by the next load
    return t


def test_a_global_released_before_any_code_runs_is_borrowed():
    text = show(scaled.__code__, "spec", ([1.0, 2.0],))
    assert "load_global name='SCALE' name_index=1 borrow=True" in text, text
    f, g = jit.compile(scaled), jit.compile(scaled_rebinding)
    for _ in range(3):
        assert f([1.0, 2.0]) == 7.5
        globals()["SCALE"] = 2.5
        assert g(3) == 0 * 2.5 + 1 * 4.0 + 2 * 4.0
        globals()["SCALE"] = 2.5
    refs = sys.getrefcount(SCALE)
    for _ in range(200):
        f([1.0, 2.0])
    assert sys.getrefcount(SCALE) == refs
