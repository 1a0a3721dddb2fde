"""A global module's attribute in specialised code (``math.sqrt(x)``, ``math.pi``):
checked where it is loaded to be the object the code was compiled for, a constant
after that, and in a quiet loop both checks move out of the loop (jit/hoist.py).
Whatever changes -- the attribute, the global, the module's class, a signal
handler mid-loop -- is seen exactly where the interpreter sees it."""
import math
import signal
import sys
import types

import pytest

import jit
from jit.__main__ import show

sys.modules["jit_test_fm"] = _fm = types.ModuleType("jit_test_fm")
_fm.sqrt, _fm.floor, _fm.scale = math.sqrt, math.floor, 2.5
# imported: so ``fm.sqrt(x)`` compiles to LOAD_ATTR, as ``math.sqrt(x)`` does (3.11's
# compiler makes LOAD_METHOD only of names no import statement binds)
import jit_test_fm as fm  # noqa: E402


def roots(n):
    s = 0.0
    for i in range(n):
        s += math.sqrt(i * 0.5) + math.pi
    return s


def mixed(n):
    s = 0.0
    k = 0
    for i in range(n):
        s += fm.sqrt(i) * fm.scale
        k += fm.floor(i / 3)
    return s, k


def one_root(x):
    return fm.sqrt(x)


def spin(limit):
    s = 0.0
    i = 0
    while s < limit:       # forever while fm.sqrt is math.sqrt
        s += fm.sqrt(0.0)
        i += 1
    return s, i


def rebind_at(k):
    fm.sqrt = lambda x: -1.0
    return k


def noisy(n, k):
    s = 0.0
    for i in range(n):
        if i == k:
            rebind_at(i)    # a call: the loop is not quiet, the check stays in it
        s += fm.sqrt(i)
    return s


@pytest.fixture(autouse=True)
def restore_fm():
    saved = dict(fm.__dict__)
    cls = fm.__class__
    g = dict(globals())
    yield
    fm.__class__ = cls
    fm.__dict__.clear()
    fm.__dict__.update(saved)
    globals().update(g)


def _spec(func, args):
    return show(func.__code__, "spec", args, func.__globals__)


def test_the_checks_leave_a_quiet_loop():
    text = _spec(roots, (10,))
    pre = [b for b in text.split("\n^") if b.split("(")[0].endswith(".pre")]
    assert len(pre) == 1
    assert "getattr name='sqrt'" in pre[0] and "getattr name='pi'" in pre[0]
    assert pre[0].count("hoisted=True") == 4          # math twice, sqrt, pi
    assert "revalidate=" in text
    assert "num_call fn='sqrt'" in text
    assert "repr='3.141592653589793'" in text          # math.pi: a constant


@pytest.mark.parametrize("func,args", [(roots, (0,)), (roots, (37,)), (mixed, (0,)),
                                       (mixed, (50,))])
def test_results(func, args):
    assert jit.compile(func)(*args) == func(*args)


def test_a_rebound_attribute_is_seen_on_the_next_call():
    c = jit.compile(mixed)
    assert c(20) == mixed(20)
    fm.sqrt = lambda x: x + 1.0
    assert c(20) == mixed(20)
    fm.scale = 3           # an int now
    assert c(20) == mixed(20)


def test_a_rebound_global_module_is_seen():
    c = jit.compile(mixed)
    assert c(20) == mixed(20)
    other = types.ModuleType("other")
    other.sqrt, other.floor, other.scale = (lambda x: 1.0), (lambda x: 2), 0.5
    globals()["fm"] = other
    assert c(20) == mixed(20) == (10.0, 40)


def test_a_module_class_with_a_property_is_seen():
    c = jit.compile(one_root)
    assert c(9.0) == 3.0

    class Shadowing(types.ModuleType):
        @property
        def sqrt(self):
            return lambda x: "shadowed"

    fm.__class__ = Shadowing
    assert c(9.0) == one_root(9.0) == "shadowed"


def test_a_deleted_attribute_raises_as_the_interpreter_does():
    c = jit.compile(one_root)
    assert c(4.0) == 2.0
    del fm.sqrt
    with pytest.raises(AttributeError) as compiled:
        c(4.0)
    with pytest.raises(AttributeError) as interpreted:
        one_root(4.0)
    assert str(compiled.value) == str(interpreted.value)


def test_a_change_made_inside_the_loop_is_seen_there():
    c = jit.compile(noisy)
    assert c(5, 99) == noisy(5, 99)
    fm.sqrt = math.sqrt
    expected = noisy(30, 12)
    fm.sqrt = math.sqrt
    assert c(30, 12) == expected


@pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer")
def test_a_signal_handler_rebinding_the_attribute_mid_loop_is_seen():
    """The handler runs at a tick, which re-checks the hoisted attribute: the
    iterations after it call the new function and the loop ends (without the
    re-check it would spin on: the second alarm raises)."""
    c = jit.compile(spin)

    def handler(signum, frame):
        if fm.sqrt is not math.sqrt:
            raise RuntimeError("the loop did not see the rebinding")
        fm.sqrt = lambda x: 1.0
        signal.setitimer(signal.ITIMER_REAL, 5.0)

    old = signal.signal(signal.SIGALRM, handler)
    try:
        assert c(0) == (0.0, 0)
        assert "revalidate=" in _spec(spin, (0,))
        signal.setitimer(signal.ITIMER_REAL, 0.01)
        s, i = c(1000)
        signal.setitimer(signal.ITIMER_REAL, 0)
        assert s == 1000.0 and i > 1000
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_no_references_leak():
    c = jit.compile(mixed)
    for _ in range(5):
        c(30)
    before = (sys.getrefcount(fm), sys.getrefcount(math.sqrt), sys.getrefcount(math.floor))
    for _ in range(200):
        c(30)
    assert (sys.getrefcount(fm), sys.getrefcount(math.sqrt),
            sys.getrefcount(math.floor)) == before
