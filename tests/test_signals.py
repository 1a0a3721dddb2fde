"""Compiled code polls the interpreter's eval breaker where the interpreter does: at
each call's entry (RESUME) and each loop back-edge (JUMP_BACKWARD). A signal
handler therefore runs soon after the signal, also in a recursion with no loop or
in nested loops too short to tick, and other threads get the GIL meanwhile."""
import signal
import threading
import time
import traceback

import pytest

import jit
from runtime import capi

pytestmark = [
    pytest.mark.skipif(not hasattr(signal, "setitimer"), reason="needs setitimer"),
    pytest.mark.skipif(capi.TSTATE_INTERP is None, reason="eval breaker not located"),
]


class Alarm(Exception):
    pass


def _raise_alarm(signum, frame):
    raise Alarm("alarm")


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def inner(k):
    t = 0
    for i in range(k):
        t = (t * 31 + i) % 1000003
    return t


def middle(k):
    t = 0
    for _ in range(k):
        t += inner(k)
    return t


def outer(k):
    t = 0
    for _ in range(k):
        t += middle(k)
    return t


def _alarm_after(fn, arg, delay=0.2):
    old = signal.signal(signal.SIGALRM, _raise_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, delay)
        t0 = time.perf_counter()
        with pytest.raises(Alarm) as info:
            fn(arg)
        return time.perf_counter() - t0, info.value
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def _compiled_globals(*names):
    g = fib.__globals__
    saved = {n: g[n] for n in names}
    for n in names:
        g[n] = jit.compile(saved[n])
    return g, saved


def test_recursion_without_loops_runs_the_handler():
    g, saved = _compiled_globals("fib")
    try:
        g["fib"](10)
        took, exc = _alarm_after(g["fib"], 45)     # (minutes to finish)
        assert took < 2.0
        names = [e.name for e in traceback.extract_tb(exc.__traceback__)]
        assert names.count("fib") > 5      # raised deep in the recursion
    finally:
        g.update(saved)


def test_nested_loops_too_short_to_tick_run_the_handler():
    g, saved = _compiled_globals("inner", "middle", "outer")
    try:
        g["outer"](3)
        took, exc = _alarm_after(g["outer"], 1000)     # (minutes; each loop < 1024 trips)
        assert took < 2.0
    finally:
        g.update(saved)


def test_other_threads_run_during_a_long_compiled_recursion():
    g, saved = _compiled_globals("fib")
    ticks = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    try:
        g["fib"](10)
        worker = threading.Thread(target=ticker)
        worker.start()
        time.sleep(0.02)
        before = len(ticks)
        g["fib"](35)     # ~0.1 s
        during = len(ticks) - before
        stop.set()
        worker.join()
        assert during >= 2
    finally:
        stop.set()
        g.update(saved)


out = []


def long_c_call(n):
    s = sum(range(n))       # the signal comes during this C call
    out.append("after")
    return s


def test_a_signal_during_a_c_call_is_handled_when_it_returns():
    g, saved = _compiled_globals("long_c_call")
    try:
        g["long_c_call"](10)
        out.clear()
        took, exc = _alarm_after(g["long_c_call"], 40_000_000, delay=0.02)
        assert out == []      # (the next statement did not run)
        entries = [(e.name, e.line) for e in traceback.extract_tb(exc.__traceback__)]
        assert ("long_c_call", "s = sum(range(n))       # the signal comes during this C call") \
            in entries
    finally:
        g.update(saved)


def spin(n):
    s = 0
    for i in range(n):
        s = (s * 31 + i) % 1000003
    return s


class Boom(Exception):
    pass


def test_an_asynchronous_exception_is_raised_in_a_compiled_loop():
    import ctypes
    g, saved = _compiled_globals("spin")
    try:
        g["spin"](10)
        main = threading.get_ident()

        def later():
            time.sleep(0.05)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(main), ctypes.py_object(Boom))

        worker = threading.Thread(target=later)
        worker.start()
        t0 = time.perf_counter()
        with pytest.raises(Boom):
            g["spin"](10 ** 10)      # (minutes to finish)
        took = time.perf_counter() - t0
        worker.join()
        assert took < 2.0
        assert g["spin"](1000) == spin(1000)      # and the loop polls quietly again
    finally:
        g.update(saved)


def folded_sum(n):
    return sum(x * x for x in range(n))


def folded_any(n):
    return any(x < 0 for x in range(n))


@pytest.mark.parametrize("fn", [folded_sum, folded_any])
def test_a_signal_in_a_folded_generator_expression_is_raised_in_it(fn):
    """The folded loop polls the eval breaker at the generator's own back jump only
    (the consumer's step jumps back without a poll), so a handler's exception has
    the generator's traceback entry at its line, as the interpreter's has."""
    def entries(f):
        _, exc = _alarm_after(f, 10 ** 12)
        return [(t.name, t.lineno) for t in traceback.extract_tb(exc.__traceback__)]
    expected = entries(fn)
    assert expected[-2][0] == "<genexpr>"
    c = jit.compile(fn)
    c(10)           # (compiled first: the alarm is to land in the loop)
    assert entries(c) == expected


def test_a_signal_handlers_exception_during_a_compile_has_no_compiler_frames():
    """The first call specialises (~0.1-0.3 s for this expression), and the alarm
    fires meanwhile: the handler's exception leaves with the program's frames
    only, as the interpreter has no compiler frames (the compile is given up: a
    later call compiles)."""
    n = 60
    src = "def f(a):\n    return (" + " + (".join(["a"] * n) + ")" * (n - 1) + ")\n"
    ns = {}
    exec(src, ns)
    c = jit.compile(ns["f"])
    _, exc = _alarm_after(lambda k: [c(k) for _ in range(10 ** 7)], 1, delay=0.01)
    files = [t.filename for t in traceback.extract_tb(exc.__traceback__)]
    assert not [f for f in files if "/jit/" in f or "/runtime/" in f or "threading" in f]
    assert files[-1] == __file__          # (the handler's own entry)
    assert c(2) == ns["f"](2) == 2 * n
