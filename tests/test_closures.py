"""Functions that compiled code makes (closures, lambdas) run compiled when called
through vectorcall -- by compiled code, sorted(), map() -- and stay ordinary
functions in every other respect (runtime/closures.py, jit.closure_call)."""
import gc
import os
import subprocess
import sys
import traceback
import types

import pytest

import jit
from runtime import abi, closures

pytestmark = pytest.mark.skipif(not closures.AVAILABLE or abi.FUNC_VECTORCALL is None,
                                reason="no code extra slot or vectorcall offset here")

SOURCE = '''
def make_affine(a, b):
    def f(x):
        return a * x + b
    return f


def compose(f, g):
    return lambda x: f(g(x))


def make_counter(step):
    count = 0

    def tick():
        nonlocal count
        count += step
        return count
    return tick


def make_defaulted(k):
    def f(x, y=k):
        return x * 10 + y
    return f


def make_raiser():
    def boom(x):
        return 1 // x
    return boom


def make_gen(n):
    def gen():
        yield from range(n)
    return gen


def make_recursive():
    def down(n):
        return 0 if n == 0 else 1 + down(n - 1)
    return down


def run(n):
    fs = [make_affine(k % 5 + 1, k % 7) for k in range(10)]
    tick = make_counter(3)
    total = 0
    for i in range(n):
        h = compose(fs[i % 10], fs[(i * 3) % 10])
        total += h(i) % 1000 + tick()
    keyed = sorted(range(n), key=lambda v: (v % 7, -v))
    return total, tick(), keyed[:5], list(map(make_affine(2, 1), range(5)))
'''
NAMES = ("make_affine", "compose", "make_counter", "make_defaulted", "make_raiser",
         "make_gen", "make_recursive", "run")


def namespaces():
    plain, compiled = {}, {}
    exec(SOURCE, plain)
    exec(SOURCE, compiled)
    for name in NAMES:
        compiled[name] = jit.compile(compiled[name])
    return plain, compiled


def compiled_entry(f) -> bool:
    """Whether calls of ``f`` through vectorcall reach a compiled entry."""
    import ctypes
    if not closures.has_entry(f.__code__):
        return False
    slot = abi.FUNC_VECTORCALL // 8
    word = (ctypes.c_uint64 * (slot + 1)).from_address(id(f))[slot]
    return word != ctypes.cast(ctypes.pythonapi._PyFunction_Vectorcall, ctypes.c_void_p).value


def test_made_functions_run_compiled_and_match_the_interpreter():
    plain, compiled = namespaces()
    for n in (0, 5, 300):
        assert compiled["run"](n) == plain["run"](n)
    f = compiled["make_affine"](3, 4)
    assert type(f) is types.FunctionType and f.__code__ is compiled["make_affine"].__code__.co_consts[1]
    assert compiled_entry(f)
    assert f(5) == 19 and f(2.5) == 11.5 and f(2 ** 70) == 3 * 2 ** 70 + 4
    with pytest.raises(TypeError) as err:
        f("x")
    with pytest.raises(TypeError) as want:
        plain["make_affine"](3, 4)("x")
    assert str(err.value) == str(want.value)


def test_calls_that_are_not_exactly_positional_go_to_the_interpreter():
    plain, compiled = namespaces()
    f, g = compiled["make_defaulted"](7), plain["make_defaulted"](7)
    assert compiled_entry(f)
    for args, kwargs in (((1,), {}), ((1, 2), {}), ((), {"x": 3}), ((1,), {"y": 5})):
        assert f(*args, **kwargs) == g(*args, **kwargs)
    f.__defaults__ = (100,)          # read at each call, as the interpreter does
    assert f(1) == 110 and f(1, 2) == 12
    for bad in ((), (1, 2, 3)):
        with pytest.raises(TypeError) as err:
            f(*bad)
        with pytest.raises(TypeError) as want:
            g(*bad)
        assert str(err.value) == str(want.value)


def test_a_new_code_object_runs_as_the_interpreter_runs_it():
    plain, compiled = namespaces()
    f = compiled["make_affine"](3, 4)
    assert f(1) == 7
    a, b = 0, 0

    def other(x):
        return x - a - b
    f.__code__ = other.__code__       # (the closure's cells stay: a=3, b=4)
    assert f(1) == -6 and sorted([9, 1], key=f) == [1, 9]
    code = compiled["make_affine"](1, 1).__code__
    g = types.FunctionType(code, {}, "other", None, (types.CellType(2), types.CellType(9)))
    assert g(3) == 15                 # (a function made elsewhere: the interpreter's call)


def test_exceptions_and_tracebacks_match():
    plain, compiled = namespaces()

    def outcome(ns):
        boom = ns["make_raiser"]()
        try:
            boom(0)
        except ZeroDivisionError as e:
            return str(e), [(fr.name, fr.lineno) for fr in traceback.extract_tb(e.__traceback__)][1:]
    assert outcome(compiled) == outcome(plain)
    assert compiled_entry(compiled["make_raiser"]())


def test_generators_and_recursion():
    plain, compiled = namespaces()
    gen = compiled["make_gen"](4)
    assert list(gen()) == [0, 1, 2, 3] and not compiled_entry(gen)
    down = compiled["make_recursive"]()
    assert down(200) == 200
    with pytest.raises(RecursionError):
        down(10 ** 6)
    assert down(50) == 50


def test_the_made_function_outlives_its_maker():
    # the entry is cleared when the maker's compiled module goes: the interpreter
    # runs the function from then on
    ns = {}
    exec(SOURCE, ns)
    maker = jit.compile(ns["make_affine"])
    fs = [maker(2, k) for k in range(3)]
    assert [f(10) for f in fs] == [20, 21, 22]
    code = fs[0].__code__
    assert closures.has_entry(code)
    del maker, ns
    for _ in range(3):
        gc.collect()
    assert [f(10) for f in fs] == [20, 21, 22]
    assert sorted([3, 1, 2], key=fs[1]) == [1, 2, 3]


def test_repeated_calls_leak_nothing():
    plain, compiled = namespaces()
    f = compiled["make_affine"](3, 4)
    keep = object()
    mk = compiled["make_counter"]
    for _ in range(200):
        f(5)
        mk(1)()
    gc.collect()
    before = sys.getrefcount(keep), sys.getallocatedblocks()
    for _ in range(2000):
        f(5)
        with pytest.raises(TypeError):
            f(keep)
        mk(1)()
    gc.collect()
    after = sys.getrefcount(keep), sys.getallocatedblocks()
    assert after[0] == before[0] and after[1] - before[1] < 100


def test_recursion_through_a_made_function_in_a_small_thread_never_crashes():
    src = """
import sys, threading, jit
sys.setrecursionlimit(100_000)
def make():
    def down(n):
        return 0 if n == 0 else 1 + down(n - 1)
    return down
make = jit.compile(make, fallback=False)
out = []
def worker():
    try:    # (map calls it through vectorcall: compiled, the recursion too)
        out.append(list(map(make(), [50_000])))
    except RecursionError as e:
        out.append("deep")
threading.stack_size(256 * 1024)
t = threading.Thread(target=worker)
t.start(); t.join()
assert out in (["deep"], [[50_000]]), out
print("survived")
"""
    proc = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True,
                          timeout=300, env=dict(os.environ))
    assert proc.returncode == 0 and "survived" in proc.stdout, proc.stderr[-3000:]


def test_a_made_function_reading_frames_stays_interpreted():
    src = '''
import sys, warnings
def maker():
    def where():
        return sys._getframe().f_code.co_name
    def warns(x):
        warnings.warn("w" + x)
        return x
    return where, warns
'''
    ns = {}
    exec(src, ns)
    where, warns = jit.compile(ns["maker"])()
    assert not compiled_entry(where) and not compiled_entry(warns)
    assert list(map(lambda f: f(), [where])) == ["where"]
