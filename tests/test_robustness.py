"""Behaviour the interpreter has and compiled code must keep: bad input,
malformed bytecode, reference counts, signals, recursion, tracebacks, fallback."""
import gc
import os
import signal
import subprocess
import sys
import threading
import time
import traceback

import pytest

import jit

HERE = os.path.dirname(__file__)


@pytest.mark.parametrize("bad", [42, "def f(): pass", None, [1], print, type, object()])
def test_compile_rejects_non_functions(bad):
    with pytest.raises(TypeError, match="function or a code object"):
        jit.compile(bad)


def test_exec_rejects_bad_arguments():
    with pytest.raises(TypeError):
        jit.exec(42, {})
    code = jit.compile(compile("x = 1", "m", "exec"))
    with pytest.raises(TypeError, match="globals must be a dict"):
        jit.exec(code, [])
    with pytest.raises(TypeError, match="locals must be a mapping or None, not int"):
        jit.exec(code, {}, 5)


def test_exec_of_a_function_code_object_is_execs():
    # exec runs a function body with fast locals of its own and raises for missing
    # arguments; jit.exec (whose native entry is for module code) must not crash
    def needs_arg(a):
        return a

    def body():
        x = 1
        return sorted(locals())

    with pytest.raises(TypeError, match=r"needs_arg\(\) missing 1 required positional argument: 'a'"):
        jit.exec(jit.compile(needs_arg.__code__), {})
    ns, expected = {}, {}
    exec(body.__code__, expected)
    compiled = jit.compile(body.__code__)
    assert jit.exec(compiled, ns) is None and sorted(ns) == sorted(expected)
    assert "runs it in the interpreter" in jit.explain(compiled)

    def outer():
        y = 1

        def inner():
            return y
        return inner
    with pytest.raises(TypeError, match="requires a closure of exactly length 1"):
        jit.exec(outer().__code__, {})


def test_mutated_code_objects_never_kill_the_process():
    # A few thousand randomly mutated code objects are compiled and run in a
    # child; every outcome is fine except the child dying.
    proc = subprocess.run([sys.executable, os.path.join(HERE, "mutation_fuzz.py"), "3000", "7"],
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, (proc.returncode, proc.stdout[-2000:], proc.stderr[-4000:])
    assert "mutation-fuzz" in proc.stdout
    stats = dict(kv.split("=") for kv in proc.stdout.split()[1:])
    assert int(stats["rejected"]) > 0 and int(stats["compiled"]) > 0


def _refcounts(objs):
    return [sys.getrefcount(o) for o in objs]


def test_repeated_calls_leak_nothing():
    big = 10 ** 30
    lst = [1, 2, 3]
    GLOBAL_OBJ = object()
    glob = {"G": GLOBAL_OBJ}
    src = """
def f(x, y, z):
    a = [x, y, big_name]
    try:
        y[10]
    except IndexError as e:
        a.append(str(e))
    d = {k: v for k, v in zip("ab", a)}
    s = f"{x}-{len(y)}"
    return (x + 1, d, s, G)
"""
    ns = dict(glob, big_name=big)
    exec(src, ns)
    g = jit.compile(ns["f"], fallback=False)
    watched = [big, lst, GLOBAL_OBJ, g]
    for _ in range(1000):
        g(big, lst, 0)
    gc.collect()
    before = _refcounts(watched)
    blocks = sys.getallocatedblocks()
    for _ in range(100_000):
        g(big, lst, 0)
    gc.collect()
    assert _refcounts(watched) == before
    assert sys.getallocatedblocks() - blocks < 200


def test_exception_paths_leak_nothing():
    def f(x, obj):
        try:
            return 1 // x
        except ZeroDivisionError:
            raise KeyError(obj)
    g = jit.compile(f, fallback=False)
    key = object()

    def run(n):
        for _ in range(n):
            try:
                g(0, key)
            except KeyError as e:
                assert e.args[0] is key
    run(100)
    gc.collect()
    before = sys.getrefcount(key)
    run(10_000)
    gc.collect()
    assert sys.getrefcount(key) == before


def spin(n):
    i = 0
    while i < n:
        i += 1
    return i


def test_sigint_interrupts_a_long_loop():
    g = jit.compile(spin, fallback=False)
    timer = threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        g(10 ** 12)
    timer.cancel()


def test_other_threads_run_while_a_native_loop_holds_the_gil():
    # the loop's tick gives the GIL up when another thread asks for it (as the
    # interpreter's eval loop: runtime.capi.EVAL_BREAKER), and only then
    g = jit.compile(spin, fallback=False)
    g(10)
    ticks = []
    stop = threading.Event()

    def worker():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t0 = time.perf_counter()
    g(3_000_000)
    n = int(3_000_000 * 0.4 / max(time.perf_counter() - t0, 1e-4))    # one call of ~0.4 s
    thread = threading.Thread(target=worker)
    thread.start()
    try:
        start = time.perf_counter()
        g(n)
        end = time.perf_counter()
        during = [t for t in ticks if start < t < end]
    finally:
        stop.set()
        thread.join()
    assert len(during) >= 10, (len(during), end - start)


def test_unbounded_recursion_raises_recursion_error():
    ns = {}
    exec("def r(n):\n    return r(n + 1) + 1\n", ns)
    ns["r"] = jit.compile(ns["r"], fallback=False)
    with pytest.raises(RecursionError):
        ns["r"](0)
    assert ns["r"].__wrapped__  # still usable afterwards
    with pytest.raises(RecursionError):
        ns["r"](0)


def _depth_outcomes(leaf, depths):
    """leaf(3) called under ``depth`` interpreted frames, near the recursion limit:
    its result, or the RecursionError and the traceback's function names."""
    import traceback

    def down(n):
        if n == 0:
            return leaf(3)
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


def test_first_calls_near_the_recursion_limit_behave_as_interpreted():
    # the dispatcher's miss handler and the lazy generic code's materialiser are
    # Python code: near the limit they are not called (their frames hit the limit)
    def leaf(x):
        return x * 2 + 1
    depths = range(185, 200)
    expected = _depth_outcomes(leaf, depths)
    assert expected.count(7) >= 5 and expected[-1] != 7
    for _ in range(2):
        assert _depth_outcomes(jit.compile(leaf), depths) == expected


class _Point:
    def __init__(self, v):
        self.v = v


_AT_LIMIT = """
def down(n):
    try:
        return down(n + 1)
    except RecursionError:
        return n, {expr}
"""


@pytest.mark.parametrize("expr", ["type(n).__name__", "dict(a=1)", "P(1).v", "n"])
@pytest.mark.parametrize("specialize", [True, False])
def test_a_class_call_at_the_recursion_limit_succeeds_where_the_interpreters_does(expr, specialize):
    # a runtime helper (here the one filling a class call's cache) takes no level:
    # the deepest handler makes the call where the interpreter's does
    ns = {"P": _Point}
    exec(_AT_LIMIT.format(expr=expr), ns)
    plain = ns["down"]
    expected = plain(0)
    ns["down"] = jit.compile(plain, specialize=specialize)
    assert ns["down"](0) == expected
    assert ns["down"](0) == expected


def test_traceback_names_compiled_function_and_line():
    def inner(x):
        y = x + 1
        return y / 0       # the line the traceback must show

    line = inner.__code__.co_firstlineno + 2
    g = jit.compile(inner, fallback=False)
    with pytest.raises(ZeroDivisionError) as info:
        g(1)
    frames = traceback.extract_tb(info.value.__traceback__)
    assert (frames[-1].name, frames[-1].lineno) == ("inner", line)
    assert frames[-1].filename == __file__


def test_traceback_inside_caught_exception_includes_compiled_frame():
    def f():
        try:
            {}["k"]
        except KeyError as e:
            return [fs.name for fs in traceback.extract_tb(e.__traceback__)]
    assert jit.compile(f, fallback=False)() == f()


def test_fallback_and_explain():
    def gen(n):
        yield n

    g = jit.compile(gen)
    assert list(g(3)) == [3]
    assert "fell back" in jit.explain(g) and "generator" in jit.explain(g)
    with pytest.raises(jit.UnsupportedError) as info:
        jit.compile(gen, fallback=False)
    assert info.value.opcode and info.value.lineno == gen.__code__.co_firstlineno
    # the message itself names them
    assert f"opcode RETURN_GENERATOR (line {gen.__code__.co_firstlineno})" in str(info.value)


def test_a_fallback_is_function_like():
    # frameworks test inspect's predicates and read a function's attributes
    import asyncio
    import inspect

    async def co(x, *, k=2):
        return x * k

    def gen(n=3):
        yield from range(n)

    c, g = jit.compile(co), jit.compile(gen)
    assert inspect.iscoroutinefunction(c) and inspect.isgeneratorfunction(g)
    assert asyncio.run(c(5)) == 10 and list(g()) == [0, 1, 2]
    assert g.__code__ is gen.__code__ and g.__defaults__ == (3,) and c.__kwdefaults__ == {"k": 2}
    assert g.__globals__ is gen.__globals__ and g.__qualname__ == gen.__qualname__
    assert str(inspect.signature(c)) == "(x, *, k=2)"
    assert jit.compile(g) is g and "fell back" in jit.explain(g)
    # renamed, it names itself so in errors and in the generators it makes
    g.__name__, g.__qualname__ = "rn", "Q.rn"
    assert g(1).__name__ == "rn" and "Q.rn" in repr(g(1))
    with pytest.raises(TypeError, match=r"Q\.rn\(\) takes from 0 to 1 positional"):
        g(1, 2)


def test_explain_compiled_and_decorator():
    @jit.jit
    def h(n):
        return n * 2
    assert "not compiled yet" in jit.explain(h)
    assert h(21) == 42
    assert "no fallback" in jit.explain(h)
    assert "no fallback" in jit.explain(jit.compile(lambda: 1, fallback=False))


@jit.jit
def _decorated_top(n):
    if n < 0:
        raise ValueError("negative")
    return n * 2


@jit.jit
def _decorated_fib(n):
    return n if n < 2 else _decorated_fib(n - 1) + _decorated_fib(n - 2)


def test_decorator_returns_a_compiled_function_compiled_on_first_call():
    # @jit.jit gives the same kind of object as jit.compile, made now and compiled by
    # its first call in place: pickled by name, copied as itself, no frame of its own
    import copy
    import pickle
    import threading
    import traceback
    f = _decorated_top
    assert type(f) is type(jit.compile(lambda: 1)) and "not compiled yet" in jit.explain(f)
    assert pickle.loads(pickle.dumps(f)) is f and copy.copy(f) is f and copy.deepcopy(f) is f
    assert f(4) == 8 and "compiled to native code" in jit.explain(f)
    with pytest.raises(ValueError) as info:
        f(-1)
    assert [e.name for e in traceback.extract_tb(info.value.__traceback__)] == [
        "test_decorator_returns_a_compiled_function_compiled_on_first_call", "_decorated_top"]
    results = []
    threads = [threading.Thread(target=lambda: results.append(_decorated_fib(18)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [2584] * 4

    class K:
        @jit.jit
        def m(self, x):
            return (self, x)
    k = K()
    assert k.m(1) == (k, 1) and type(K.__dict__["m"]) is type(f)

    @jit.jit
    def gen():
        yield 1
    assert list(gen()) == [1] and list(gen()) == [1]
    assert "fell back" in jit.explain(gen) and "generator" in jit.explain(gen)

    @jit.jit(fallback=False)
    def gen_refused():
        yield 1
    for _ in range(2):
        with pytest.raises(jit.UnsupportedError, match="generators"):
            gen_refused()


def test_defaults_fast_path_follows_defaults_assignment():
    def f(a, b=2, c=[3]):
        return a, b, c
    g = jit.compile(f, fallback=False)
    assert g(1) == f(1) and g(1)[2] is f(1)[2]
    assert g(1, 5) == (1, 5, [3])
    g.__defaults__ = (7, 8)
    assert g(1) == (1, 7, 8)
    g.__defaults__ = (9,)
    assert g(1, 2) == (1, 2, 9)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'b'"):
        g(1)
    g.__defaults__ = None
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'c'"):
        g(1, 2)


def _survives(src, **env):
    """Run ``src`` in a fresh interpreter (a crash must fail only this test); it
    prints "survived" when every check in it passed."""
    proc = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, **env))
    assert proc.returncode == 0 and "survived" in proc.stdout, proc.stderr[-3000:]


def _prints(src, want: str, **env):
    """Run ``src`` in a fresh interpreter: it exits 0, prints exactly ``want`` and
    nothing on stderr."""
    proc = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, **env))
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, want, ""), proc.stderr[-3000:]


def test_deep_recursion_with_raised_limit_never_crashes():
    # Native frames live on the C stack; with the interpreter's limit raised far
    # beyond what the stack holds, compiled code must raise RecursionError, not die.
    src = """
import sys, jit
sys.setrecursionlimit(1_000_000)
big = "def r(n):\\n" + "".join(f"    v{i} = n + {i}\\n" for i in range(300)) + \\
      "    if n == 0: return 0\\n    return r(n - 1) + v1 - n\\n"
ns = {}
exec(big, ns)
exec("def q(n):\\n    if n == 0: return 0\\n    return q(n - 1) + 1\\n", ns)
ns["r"] = jit.compile(ns["r"], fallback=False)
ns["q"] = jit.compile(ns["q"], fallback=False)
assert ns["q"](3000) == 3000 and ns["r"](50) == 50
# compiled f and interpreted g calling each other: the interpreter's C frames
# between compiled ones are on the same stack
exec("def f(n):\\n    if n <= 0: return 0\\n    return g(n - 1) + 1\\n"
     "def g(n):\\n    if n <= 0: return 0\\n    return f(n - 1) + 1\\n", ns)
ns["f"] = jit.compile(ns["f"], fallback=False)
assert ns["f"](1000) == 1000
for f in (ns["q"], ns["r"], ns["f"]):
    try:
        f(10 ** 6)
    except RecursionError:
        pass
print("survived")
"""
    _survives(src)


def test_a_recursive_nested_function_checks_the_stack():
    # a nested function the compiled code calls, which calls itself through its
    # cell, runs as a copy in the caller's module: its recursion nests native frames,
    # so that copy checks the C stack as a function of its own does (it did not)
    src = """
import sys, jit
sys.setrecursionlimit(1_000_000)
def outer(n):
    def down(k):
        return 0 if k == 0 else 1 + down(k - 1)
    return down(n)
def maker():
    def down(k):
        return 0 if k == 0 else 1 + down(k - 1)
    return down
outer = jit.compile(outer, fallback=False)
maker = jit.compile(maker, fallback=False)
assert outer(500) == 500 and list(map(maker(), [500])) == [500]
for f in (outer, lambda n: list(map(maker(), [n]))):
    try:
        f(900_000)
    except RecursionError:
        pass
print("survived")
"""
    _survives(src)


def test_threads_with_small_stacks_get_recursion_error_not_a_crash():
    # each thread's C stack bounds its compiled frames (read once per thread); the
    # interpreter's recursion limit alone would let 950 levels overflow 64 KB
    src = """
import sys, threading, jit
def rec(n, x):
    if n == 0:
        return x
    return rec(n - 1, x * 1.0001) + 1.0
rec = jit.compile(rec, fallback=False)
assert rec(5, 1.0) > 5
out = []
def worker(n):
    try:
        out.append(rec(n, 1.0))
    except RecursionError as e:
        out.append(str(e))
for size in (64, 128, 256, 0):
    threading.stack_size(size * 1024)
    for n in (20, 950):
        t = threading.Thread(target=worker, args=(n,))
        t.start(); t.join()
threading.stack_size(0)
assert all(isinstance(x, float) or x == "maximum recursion depth exceeded" for x in out), out
assert isinstance(out[0], float) and isinstance(out[-1], float), out
print("survived")
"""
    _survives(src)


def test_stack_floors_are_per_thread():
    # deep compiled recursion in several threads at once (each its own stack)
    from runtime import capi

    def d(n):
        return 0 if n == 0 else 1 + d(n - 1)
    g = d.__globals__
    saved = g.get("d")
    c = jit.compile(d, fallback=False)
    results = []
    try:
        g["d"] = c
        threads = [threading.Thread(target=lambda: results.append(c(900))) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        if saved is None:
            g.pop("d", None)
        else:
            g["d"] = saved
    assert results == [900] * 4
    ids = {capi.stack_table[2 * i] for i in range(capi.STACK_TABLE_ENTRIES)} - {0}
    assert len(ids) >= 2       # the main thread's and the workers' floors


# ---- the frames compiled code names in tracebacks ----------------------------------

def make_counter(step):
    def bump(xs):
        return [x + step for x in xs]          # a closure holding a comprehension
    return bump


def mid_maker(k):
    def mid(a):                                # free k, and a captured argument
        return (lambda: a + k)()
    return mid


def scale_items(xs, k):
    return [x * k for x in xs]


@pytest.mark.parametrize("fn, args", [
    (scale_items, (["a"], [2])),               # comprehension with a free variable
    (make_counter(1), (["a"],)),               # closure, and its comprehension
    (mid_maker(1), ("a",)),
])
def test_traceback_frames_locals_can_be_read(fn, args):
    # reading f_locals of the frames compiled code puts in tracebacks (pytest, pdb,
    # traceback.TracebackException(capture_locals=True) do) must not crash
    f = jit.compile(fn)
    with pytest.raises(TypeError) as got:
        f(*args)
    tb = got.value.__traceback__
    names = []
    while tb is not None:
        assert isinstance(tb.tb_frame.f_locals, dict)
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert fn.__name__ in names
    traceback.TracebackException.from_exception(got.value, capture_locals=True).format()


def tbl_closure(k):
    def inner(x):
        y = x * k
        z = [y]
        return 10 // (y - 4)
    return inner


def tbl_cells(a):
    b = a + a
    def g():
        return a + b
    c = g()
    return c // (c - 3 * a)


def tbl_rec(n, acc):
    t = acc * 1.5
    if n == 0:
        return 1 // 0
    return tbl_rec(n - 1, t) + 1


def tbl_unbound(flag):
    if flag:
        q = 1
    w = 2.5
    return w / 0


def tbl_loop(xs):
    s = 0.0
    for i, x in enumerate(xs):
        s += 1.0 / x
    return s


def _tb_frames(calls):
    out = []
    for f, args in calls:
        try:
            f(*args)
        except Exception as e:
            tb = e.__traceback__.tb_next
            while tb is not None:
                fr = tb.tb_frame
                shown = {k: v.__qualname__ if callable(v) else repr(v) for k, v in fr.f_locals.items()}
                out.append((type(e).__name__, fr.f_code.co_name, tb.tb_lineno, fr.f_lineno, shown))
                tb = tb.tb_next
    return out


def test_traceback_frames_hold_the_locals_the_interpreter_shows():
    # f_locals and f_lineno of every compiled frame in a traceback: generic code,
    # specialised code and its deopts (frames of continuations: cells shown by
    # value), recursion (each level its own), typed locals boxed
    g = globals()
    names = ("tbl_cells", "tbl_rec", "tbl_unbound", "tbl_loop")
    saved = {n: g[n] for n in names}

    def calls(closure):
        return [(closure(2), (2,)), (closure("s"), ("t",)), (g["tbl_cells"], (3,)),
                (g["tbl_cells"], ("s",)), (g["tbl_rec"], (3, 1.0)), (g["tbl_rec"], (2, 1)),
                (g["tbl_rec"], (2, "x")), (g["tbl_unbound"], (False,)),
                (g["tbl_loop"], ([1.0, 2.0, 0.0],)), (g["tbl_loop"], ([1, 0],))]
    expected = _tb_frames(calls(tbl_closure))
    assert len(expected) > 12
    try:
        for n in names:
            g[n] = jit.compile(saved[n])
        for _ in range(3):
            assert _tb_frames(calls(lambda k: jit.compile(tbl_closure(k)))) == expected
    finally:
        g.update(saved)


def test_compiling_in_a_thread_with_a_small_stack_never_crashes():
    # LLVM runs on a compile thread of its own with a big stack: the first call (the
    # compile) in a 32 KB thread, or deep in C recursion, used to overflow the stack
    src = """
import sys, threading, jit
def rec(n):
    if n == 0:
        return 0
    return rec(n - 1) + 1
def other(x):
    s = 0.0
    for i in range(10):
        s += x * i / (i + 1.5) - (x % 3.0)
    return s
rec = jit.compile(rec)
other = jit.compile(other)
out = []
def key(n):
    if n == 16:
        out.append(other(1.5))       # first call, deep in C recursion
    else:
        sorted([n + 1], key=key)
    return 0
threading.stack_size(32 << 10)
t = threading.Thread(target=lambda: out.append(rec(3))); t.start(); t.join()
threading.stack_size(128 << 10)
t = threading.Thread(target=key, args=(0,)); t.start(); t.join()
assert out == [3, other.__wrapped__(1.5)], out
print("survived")
"""
    _survives(src, JIT_CACHE="0")


def test_a_later_thread_with_the_same_pthread_id_gets_its_own_stack_floor():
    # glibc gives a later thread the same pthread_t with another stack size: the
    # floors are keyed by the thread state's unique id, never reused
    src = """
import random, threading, jit
def rec(n):
    if n == 0:
        return 0
    return rec(n - 1) + 1
rec = jit.compile(rec)
out = set()
def work(d):
    try:
        out.add(rec(d))
    except RecursionError:
        out.add("RecursionError")
rec(5)
random.seed(1)
sizes = [64 << 10, 1 << 20, 8 << 20, 64 << 20, 128 << 10, 32 << 20]
for i in range(300):
    s = random.choice(sizes)
    threading.stack_size(s)
    t = threading.Thread(target=work, args=(990 if s <= 128 << 10 else 5,)); t.start(); t.join()
assert out <= {5, 990, "RecursionError"} and 5 in out, out
print("survived")
"""
    _survives(src)


def test_a_deopt_at_entry_of_code_with_cells_resumes_with_them():
    # an argument that does not unbox deoptimises before COPY_FREE_VARS / MAKE_CELL
    # ran: the cells are made (the free ones taken from the closure) and the call
    # resumes at RESUME (it segfaulted: the free slots were handed over empty)
    src = """
import jit
def outer():
    k = 10
    def f(r):
        return k + r
    return f
class Circle:
    def __init__(self, r):
        super(Circle, self).__init__()
        self.r = r
def cellarg(a):
    def g():
        return a * 2
    return g()
fast = jit.compile(outer())
Circle.__init__ = jit.compile(Circle.__init__)
ca = jit.compile(cellarg)
out = [fast(1), fast(2**63), fast(1), vars(Circle(1)), vars(Circle(10**20)), ca(3), ca(2**70), ca(3)]
assert out == [11, 2**63 + 10, 11, {'r': 1}, {'r': 10**20}, 6, 2**71, 6], out
print("survived")
"""
    _survives(src)


def tb_unpack(seq):
    a, *b = seq
    return a, b


def tb_unpack2(seq):
    a, b = seq
    return a + b


def tb_catch(t):
    try:
        raise ValueError(1)
    except t:
        return "caught"


class _BadIter:
    def __iter__(self):
        raise KeyError("from __iter__")


def test_helper_errors_leave_no_runtime_frames_in_tracebacks():
    # helpers raise their errors themselves: a nested helper's frame used to stay
    # in the traceback (runtime/helpers.py _iterate, _check_except_type)
    def entries(f, arg):
        try:
            f(arg)
        except Exception as e:
            return type(e).__name__, str(e), [(t.name, t.lineno)
                                               for t in traceback.extract_tb(e.__traceback__)][1:]
        return None
    cases = [(tb_unpack, 5), (tb_unpack2, 5), (tb_unpack2, _BadIter()), (tb_unpack, (1,)),
             (tb_catch, 5), (tb_catch, (ValueError, 3)), (tb_catch, ValueError)]
    expected = [entries(f, a) for f, a in cases]
    compiled = {f: jit.compile(f) for f, _ in cases}
    for _ in range(2):
        assert [entries(compiled[f], a) for f, a in cases] == expected


def test_module_code_tracebacks_go_from_the_caller_to_the_code_as_execs():
    source = "def helper():\n    raise ValueError('boom')\nx = 1\nhelper()\n"
    code = compile(source, "m.py", "exec")

    def entries(run):
        try:
            run()
        except ValueError as e:
            return [(t.name, t.filename, t.lineno) for t in traceback.extract_tb(e.__traceback__)][2:]
        return None

    expected = entries(lambda: exec(code, {}))       # (after this frame's and the lambda's)
    assert [e[:2] for e in expected] == [("<module>", "m.py"), ("helper", "m.py")]
    assert entries(lambda: jit.exec(jit.compile(code), {})) == expected
    assert entries(lambda: jit.exec(code, {})) == expected
    function_body = (lambda: 1 / 0).__code__         # exec runs a function's code itself
    try:
        jit.exec(function_body, {})
    except ZeroDivisionError as e:
        assert [t.name for t in traceback.extract_tb(e.__traceback__)] == [
            "test_module_code_tracebacks_go_from_the_caller_to_the_code_as_execs", "<lambda>"]


class _SuperA:
    def m(self):
        return "A.m"


class _SuperB(_SuperA):
    def m(self):
        return super().m()

    def gone(self):
        del self
        return super().m()


    def star(*args):
        return super().m()       # no positional parameter: "super(): no arguments"

    def keyword_only(*, self):
        return super().m()


def _no_class_super(x):
    return super()


def test_zero_argument_super_with_none_and_emptied_first_argument():
    # None is a first argument like any other; only an emptied slot is "deleted"
    def outcome(f, *args):
        try:
            return f(*args)
        except Exception as e:
            return type(e).__name__, str(e)
    cases = [(_SuperB.m, None), (_SuperB.m, _SuperB()), (_SuperB.gone, _SuperB()),
             (_no_class_super, None), (_no_class_super, 5), (_SuperB.star, _SuperB())]
    expected = [outcome(f, a) for f, a in cases]
    assert expected[-1] == ("RuntimeError", "super(): no arguments")
    kw = jit.compile(_SuperB.keyword_only)
    for _ in range(2):
        with pytest.raises(RuntimeError, match=r"^super\(\): no arguments$"):
            kw(self=_SuperB())
    for _ in range(2):
        assert [outcome(jit.compile(f), a) for f, a in cases] == expected


def _patched_range_user(x):
    def get():
        return x
    return x * x + get()          # x * x past 64 bits: a deopt


def _patched_range_comprehension(n, k):
    return [i * k for i in range(n)]   # a native range iterator boxed by a deopt


def test_a_deopt_does_not_run_the_programs_patched_builtins():
    # the runtime keeps the builtins it started with: a deopt used to call a patched
    # builtins.range (and len, iter ...) itself
    import builtins
    real = builtins.range
    calls = []

    def traced(*a):
        calls.append(a)
        return real(*a)
    f, g = jit.compile(_patched_range_user), jit.compile(_patched_range_comprehension)
    f(3)
    g(4, 3)
    g(4, 3)
    try:
        builtins.range = traced
        assert f(2 ** 40) == 2 ** 80 + 2 ** 40
        assert calls == []
        # (the program's own range() call sees its patch, compiled or not)
        builtins.range = lambda *a: real(*a)[1:]
        assert g(4, 2 ** 62) == _patched_range_comprehension(4, 2 ** 62) == \
            [2 ** 62, 2 ** 63, 3 * 2 ** 62]
    finally:
        builtins.range = real


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_while_another_thread_compiles_can_compile():
    # the compile thread (and the locks it held mid-compile) stay in the parent
    src = """
import os, threading, time, jit
def make(i):
    src = f"def f{i}(n):\\n    s = 0\\n" + "".join(f"    s += n * {k} % 7\\n" for k in range(40)) + "    return s\\n"
    ns = {}; exec(src, ns); return ns[f"f{i}"]
stop = False
warm = threading.Event()
def compiler():
    i = 0
    while not stop:
        f = jit.compile(make(i)); f(3); i += 1
        warm.set()
t = threading.Thread(target=compiler, daemon=True); t.start()
# (not while that thread still imports jit's modules: a fork then leaves their import
# locks held in the child, in any Python program)
warm.wait()
hung = 0
for k in range(4):
    pid = os.fork()
    if pid == 0:
        g = jit.compile(make(1000 + k))
        os._exit(0 if g(5) == 120 else 1)
    for _ in range(200):
        r, st = os.waitpid(pid, os.WNOHANG)
        if r:
            assert st == 0, st
            break
        time.sleep(0.05)
    else:
        hung += 1; os.kill(pid, 9); os.waitpid(pid, 0)
stop = True
assert hung == 0, hung
print("survived")
"""
    _survives(src, JIT_CACHE="0")


class _MissingDict(dict):
    def __missing__(self, key):
        return "missing-" + key


def test_dict_subclass_namespaces_keep_the_interpreters_lookups():
    # LOAD_GLOBAL of a dict subclass goes through its __getitem__/__missing__, LOAD_NAME
    # reads the globals as a plain dict: such functions and module code run in the
    # interpreter (native lookups read exact dicts)
    ns = _MissingDict()
    exec("def f():\n    return undefined_global\n", ns)
    g = jit.compile(ns["f"])
    assert g() == "missing-undefined_global"
    assert "not a dict" in jit.explain(g)
    with pytest.raises(jit.UnsupportedError, match="globals are a _MissingDict") as info:
        jit.compile(ns["f"], fallback=False)
    assert info.value.opcode == "LOAD_GLOBAL" and info.value.lineno == 2
    assert "opcode LOAD_GLOBAL (line 2)" in str(info.value)
    code = jit.compile(compile("r1 = undefined_name", "m.py", "exec"))
    with pytest.raises(NameError, match="name 'undefined_name' is not defined"):
        jit.exec(code, _MissingDict(), {})
    plain = {}
    jit.exec(jit.compile(compile("x = len", "m.py", "exec")), plain)
    assert type(plain["__builtins__"]) is dict and plain["x"] is len   # as exec inserts it
    with pytest.raises(TypeError, match="'int' object is not subscriptable"):
        jit.exec(jit.compile(compile("x = len", "m.py", "exec")), {"__builtins__": 5})


class _KeysRaise:
    def keys(self):
        raise KeyError("in keys")

    def __getitem__(self, k):
        return 1


class _GetRaises:
    def __get__(self, obj, owner):
        raise ValueError("in __get__")


class _EnterDescr:
    __enter__ = _GetRaises()

    def __exit__(self, *exc):
        return False


def _merge_user_error():
    return {**_KeysRaise()}


def _call_merge_user_error():
    def h(**kw):
        return kw
    return h(**_KeysRaise())


def _with_user_error():
    with _EnterDescr():
        return 1


def test_errors_from_user_code_called_by_runtime_helpers_keep_the_interpreters_traceback():
    # a helper's own frames (nested helpers too) are dropped from the traceback
    import traceback

    def entries(f):
        try:
            f()
        except Exception as e:
            return type(e), str(e), [x.name for x in traceback.extract_tb(e.__traceback__)]
    for f in (_merge_user_error, _call_merge_user_error, _with_user_error):
        expected = entries(f)
        assert expected[2][-1] in ("keys", "__get__")
        assert entries(jit.compile(f, fallback=False)) == expected


def test_import_star_and_from_follow_the_interpreter():
    import types
    made = {
        "_jt_setall": dict(a=1, b=2, __all__={"a", "b"}),      # a set: not indexable
        "_jt_public": dict(x=1, _y=2, z=3),
        "_jt_allpriv": dict(p=1, _q=2, __all__=["p", "_q"]),
        "_jt_missing": dict(__all__=["nope"]),
        "_jt_badkey": dict(__name__=7),
    }
    saved = {}
    try:
        for name, attrs in made.items():
            m = types.ModuleType(name)
            for k, v in attrs.items():
                setattr(m, k, v)
            saved[name] = sys.modules.get(name)
            sys.modules[name] = m
        sys.modules["_jt_badkey"].__dict__[1] = 2
        saved["_jt_int"] = sys.modules.get("_jt_int")
        sys.modules["_jt_int"] = 5

        class FileAttr:
            __name__ = "_jt_obj"
            __file__ = "/fake/path.py"
        saved["_jt_obj"] = sys.modules.get("_jt_obj")
        sys.modules["_jt_obj"] = FileAttr()

        def run(src, runner):
            ns = {}
            try:
                runner(compile(src, "m.py", "exec"), ns)
            except Exception as e:
                return type(e).__name__, str(e), getattr(e, "path", None)
            return sorted(k for k in ns if k != "__builtins__")
        native = lambda code, ns: jit.exec(jit.compile(code, fallback=False), ns)  # noqa: E731
        for name in list(made) + ["_jt_int"]:
            src = f"from {name} import *"
            assert run(src, native) == run(src, exec), src
        src = "from _jt_obj import nothing"       # not a module: its __file__ is not used
        assert run(src, native) == run(src, exec) == (
            "ImportError", "cannot import name 'nothing' from '_jt_obj' (unknown location)", None)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old


def test_the_runtime_leaves_the_programs_ctypes_prototypes_alone():
    # the runtime's C-API calls have prototypes of their own: setting argtypes on
    # ctypes.pythonapi's shared function objects would change them for the program
    src = """
import ctypes, jit
def f(o):
    return {**o}, [*o]
g = jit.compile(f)
assert g({"a": 1}) == f({"a": 1})
api = ctypes.pythonapi
assert all(getattr(api, n).argtypes is None for n in
           ("PySequence_Check", "PySequence_GetItem", "PyException_SetCause", "Py_IncRef"))
print("survived")
"""
    _survives(src)


def _deopt_under_patched_str(n):
    total = 0
    for i in range(n):
        total += i * i * i * i * i * i * i      # past 64 bits at i = 512: deoptimises
    return total


def test_the_runtime_and_compiler_keep_the_builtins_they_started_with():
    # (mock.patch of builtins.open or .print in a program's tests; a patched str seen
    # by the importlib code an import on the deopt path used to run)
    import builtins
    from unittest import mock

    def refuse(*args, **kwargs):
        raise AssertionError("the program's patched builtin was called")
    c = jit.compile(_deopt_under_patched_str)
    with mock.patch.object(builtins, "open", refuse), \
            mock.patch.object(builtins, "print", refuse), \
            mock.patch.object(builtins, "__import__", refuse):
        assert c(600) == _deopt_under_patched_str(600)      # compiles, then deoptimises
    with mock.patch.object(builtins, "str", lambda *a: refuse()):
        assert c(700) == sum(i ** 7 for i in range(700))


HOSTILE_BUILTINS = r"""
import builtins, sys
sys.path.insert(0, {root!r})
def f(xs):
    t = 0
    for i in range(3):
        t += len(xs)
    return t
def g(x, y):
    return isinstance(x, int) and x * y
if sys.argv[1] == "jit":
    import jit
    f, g = jit.compile(f), jit.compile(g)
saved = dict(vars(builtins))
out = []
for k in range(12):
    out.append(f([1, 2]))
    out.append(g(k, 2 ** (k * 7)))
    # what a program's tests do with mock.patch: every call from here on, compiles and
    # re-specialisations included, runs while these are patched
    builtins.len = lambda x: 100
    builtins.isinstance = lambda *a: True
    builtins.str = builtins.repr = lambda *a: "?"
    builtins.int = builtins.bytes = lambda *a: 7
    try:
        out.append(f([1, 2]))
        out.append(g(k, 2 ** (k * 9)))
    finally:
        vars(builtins).update(saved)
print(out)
"""


def test_a_program_patching_builtins_while_it_compiles_breaks_no_library_code():
    # (llvmlite's Python wrappers and the object cache look builtins up in the
    # builtins module: a patched len made llvmlite hand LLVM garbage, and LLVM's
    # assertion aborted the process)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    script = HOSTILE_BUILTINS.format(root=root)
    runs = [subprocess.run([sys.executable, "-c", script, mode], capture_output=True,
                           text=True, timeout=300, env=dict(os.environ, JIT_CACHE="0"))
            for mode in ("interpreted", "jit")]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[1].returncode == 0, runs[1].stderr
    assert runs[1].stdout == runs[0].stdout


def _deep_range_overflow(n, x):
    if n == 0:
        t = x
        for _ in range(3):
            t = t * 2 ** 40       # overflows i64 at the second step: a deopt in the loop
        return t
    return _deep_range_overflow(n - 1, x)


def _max_depth(fn):
    lo, hi = 1, 3000
    while lo < hi:
        mid = (lo + hi + 1) // 2
        try:
            fn(mid, 1)
            lo = mid
        except RecursionError:
            hi = mid - 1
    return lo


def test_a_deopt_out_of_a_range_loop_at_the_recursion_limit_reaches_the_interpreters_depth():
    # the native range iterator is boxed in C for the resumed frame: no level of its own
    g = _deep_range_overflow.__globals__
    plain = g["_deep_range_overflow"]
    want = _max_depth(plain)
    try:
        g["_deep_range_overflow"] = fast = jit.compile(plain)
        fast(3, 1)
        assert _max_depth(fast) == want
    finally:
        g["_deep_range_overflow"] = plain


def test_a_deeply_nested_expression_compiles_without_a_blow_up():
    # every one of its 150 additions can overflow and deoptimise with up to 150
    # values on the stack: LLVM's instcombine went quadratic over the deopt stack's
    # addresses (about a minute here), where it now takes about a second
    n = 150
    src = "def f(a):\n    return (" + " + (".join(["a"] * n) + ")" * (n - 1) + ")\n"
    script = (f"import sys; sys.path.insert(0, {os.path.dirname(os.path.dirname(os.path.abspath(__file__)))!r})\n"
              f"import jit\nns = {{}}\nexec({src!r}, ns)\nc = jit.compile(ns['f'])\n"
              "print(c(1), c(2 ** 62), ns['f'](2 ** 62))\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=60, env=dict(os.environ, JIT_CACHE="0"))
    assert run.returncode == 0, run.stderr
    small, big, expected = run.stdout.split()
    assert small == str(n) and big == expected


def test_the_builtins_swap_nests_and_keeps_a_patch_made_meanwhile():
    import builtins
    from runtime.own_builtins import BUILTINS, AsImported
    saved = builtins.len
    try:
        builtins.len = patched = lambda x: -1
        with AsImported():
            assert builtins.len is BUILTINS["len"]
            with AsImported():
                assert builtins.len is BUILTINS["len"]
            assert builtins.len is BUILTINS["len"]      # (the outer block still runs)
        assert builtins.len is patched
        with AsImported():
            builtins.len = newer = lambda x: -2         # (another thread's patch)
        assert builtins.len is newer
        del builtins.len
        with AsImported():
            assert builtins.len is BUILTINS["len"]
        assert not hasattr(builtins, "len")
    finally:
        builtins.len = saved


FIRST_CALLS_PATCHED = r"""
import sys
sys.path.insert(0, {root!r})
from unittest import mock

def f(n):
    t = 0
    for i in range(n):
        t += i
    return t

def helper(s):
    return s + "!"

def g(s):
    if s == "ab":
        return helper(s) * 2     # first reached only under the patch
    return s

if sys.argv[1] == "jit":
    import jit
    f, g = jit.compile(f), jit.compile(g)
g("xy"); g("xy")
out = []
with mock.patch("builtins.str", lambda *a: "s"):
    out.append(f(5))              # the first call: it compiles under the patch
with mock.patch("builtins.isinstance", lambda *a: False):
    out.append(g("ab"))          # a call site's first call of a global function
print(out)
"""


def test_first_calls_under_patched_builtins_compile_as_usual():
    # (the dispatcher's compile and a call site's cache fill import on the way:
    # importlib's own code called the program's patched isinstance and str)
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs = [subprocess.run([sys.executable, "-c", FIRST_CALLS_PATCHED.format(root=root), mode],
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, JIT_CACHE="0"))
            for mode in ("interpreted", "jit")]
    assert runs[0].returncode == 0 and runs[1].returncode == 0, runs[1].stderr
    assert runs[1].stdout == runs[0].stdout == "[10, 'ab!ab!']\n"


def test_a_compiled_finaliser_of_cyclic_garbage_runs():
    # the collector finalises a cycle's members in any order: the machine code of a
    # compiled __del__ in the cycle must outlive the other finalisers (helper 42)
    src = """
import gc, jit
class Resource:
    def __init__(self, name):
        self.name = name
        self.me = self
    def __del__(self):
        print("closing", self.name)
Resource.__del__ = jit.compile(Resource.__del__)
r = Resource("a")
del Resource, r
gc.collect()
print("survived")
"""
    _prints(src, "closing a\nsurvived\n")


@pytest.mark.parametrize("how", ["jit.jit", "jit.compile"])
def test_a_first_call_at_interpreter_exit_runs_in_the_interpreter(how):
    # a finaliser whose first call comes while the interpreter exits: imports fail
    # then, so compiling would; the interpreter runs it (helper 42)
    src = f"""
import jit
class Resource:
    def __init__(self, name):
        self.name = name
        self.me = self
    def __del__(self):
        print("closing", self.name)
Resource.__del__ = {how}(Resource.__del__)
r = Resource("a")
print("end of script")
"""
    _prints(src, "end of script\nclosing a\n")


def test_machine_code_of_dead_functions_is_freed():
    from jit import engine

    def compile_one_and_drop_it():
        ns = {}
        exec("def f(x):\n    return x * 3 + 1\n", ns)
        assert jit.compile(ns["f"])(2) == 7
        gc.collect()
    compile_one_and_drop_it()
    held = len(engine._trackers)
    for _ in range(20):
        compile_one_and_drop_it()
    engine.sweep()        # (each compile sweeps too; a tracker goes once a collection
    gc.collect()          # finished after its Library was seen gone)
    engine.sweep()
    assert len(engine._trackers) <= held + 2 and not engine._retired


def test_compiling_after_jits_exit_hook_runs_the_interpreter():
    # an atexit handler registered before jit's engine runs after its hook, which
    # ends compiling (LLVM's destructors come next): the function runs interpreted,
    # where the hook once held a lock for ever and this hung (helper 44)
    src = """
import atexit
def report():
    print("report:", total(10), jit.compile(lambda: 7)(), flush=True)
atexit.register(report)
def total(n):
    s = 0
    for i in range(n):
        s += i
    return s
import jit
total = jit.jit(total)
print("main done", flush=True)
"""
    _prints(src, "main done\nreport: 45 7\n")


def test_jit_compile_in_a_finaliser_at_exit_returns_the_original():
    src = """
import jit
def work(x):
    return x * 2
class Fin:
    def __del__(self):
        f = jit.compile(work)
        print("del", f(21), f is work, jit.jit(work)(1), flush=True)
keep = Fin()
"""
    _prints(src, "del 42 True 2\n")


def test_compiled_code_in_the_last_finaliser_at_exit():
    # an object kept on sys is finalised after every module's dict was cleared:
    # its compiled calls (a deopt, a new signature, a method site meeting a new
    # class) run without the runtime's module state -- the blocks compiled code
    # reads by address stay (they were freed with runtime.capi's dict: a crash)
    src = """
import sys, jit
def ov(n, x):
    if n == 0:
        return x
    return ov(n - 1, x * 3)
def triple(x):
    return x * 3
def maker(k):
    def add(x):
        return x + k
    return add
class D:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.pr, self.map, self.list = print, map, list
    def __del__(self):
        for f, a in ((self.ov, (50, 7)), (self.t, (2.5,)), (self.ov, (60, 5)),
                     (lambda: self.list(self.map(self.add, [1, 2])), ())):
            try:
                self.pr("ok", f(*a) is not None)
            except BaseException as e:
                self.pr("raised", type(e).__name__)
o, t = jit.compile(ov), jit.compile(triple)
o(3, 2), t(4)
sys._keep = D(ov=o, t=t, add=jit.compile(maker)(5))
"""
    # (what the calls give there may differ from the interpreter's: the runtime's
    # Python side has no module state left; they must not crash)
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                              timeout=120, env=dict(os.environ, PYTHONMALLOC="malloc"))
        assert proc.returncode == 0 and proc.stdout.count("\n") == 4, proc.stderr[-3000:]


def test_first_deopts_and_new_call_sites_in_a_finaliser_at_exit():
    # respecialising after deopts, and filling a method site for a new class, import
    # the compiler: not while the interpreter finalises (helper 45)
    src = """
import jit
def double(x):
    return x * 2
class A:
    def m(self):
        return 1
class B:
    def m(self):
        return 2
def call_m(o):
    return o.m()
class D:
    def __del__(self):
        print("del", [d(2 ** 62) for _ in range(5)] == [2 ** 63] * 5, cm(B()), flush=True)
d, cm = jit.compile(double), jit.compile(call_m)
d(3), cm(A())
obj = D()
"""
    _prints(src, "del True 2\n")


def test_code_whose_first_instruction_has_no_line():
    # a valid code object whose RESUME has no location (its line table says so):
    # the entry's traceback line was formatted as "None" into the IR (helper 46)
    import types

    def base(a, b):
        return a + b
    lt = base.__code__.co_linetable
    if lt[:2] != b"\x80\x00":
        pytest.skip("another line table layout")
    f = types.FunctionType(base.__code__.replace(co_linetable=b"\xf8" + lt[2:]), globals(), "base")
    for fallback in (True, False):
        g = jit.compile(f, fallback=fallback)
        assert g(3, 4) == 7 and g("a", "b") == "ab"


def test_a_code_object_with_free_variables_is_a_wrong_argument():
    # well-formed code, but exec() cannot run it either: TypeError, not CompileError
    def outer():
        x = 1

        def inner():
            return x
        return inner
    with pytest.raises(TypeError, match="free variables"):
        jit.compile(outer().__code__)
    assert jit.compile(outer)()() == 1
