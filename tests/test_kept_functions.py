"""A nested function that compiled code makes, keeps in a local or cell and calls
later (a recursive helper inside a solver) runs compiled in the maker's module,
specialised for what the call passes; it must act exactly as the interpreter runs
it, whatever the variable holds by the time of the call."""
import sys
import traceback

import jit
from jit.__main__ import show


def queens(n):
    cols = [False] * n
    d1 = [False] * (2 * n)
    d2 = [False] * (2 * n)
    count = 0

    def place(r):
        nonlocal count
        if r == n:
            count += 1
            return 1
        found = 0
        for c in range(n):
            if not cols[c] and not d1[r + c] and not d2[r - c + n]:
                cols[c] = d1[r + c] = d2[r - c + n] = True
                found += place(r + 1)
                cols[c] = d1[r + c] = d2[r - c + n] = False
        return found
    return place(0), count


def memo_fib(n):
    memo = {}

    def f(k):
        if k < 2:
            return k
        if k in memo:
            return memo[k]
        r = f(k - 1) + f(k - 2)
        memo[k] = r
        return r
    return f(n)


def local_helper(xs, scale):
    def weigh(x, i):
        return x * scale + i
    t = 0
    for i, x in enumerate(xs):
        t += weigh(x, i)
    return t


def rebinds(n):
    def step(x):
        return x + 1
    out = []
    for i in range(n):
        out.append(step(i))
        if i == 2:
            step = lambda x: x * 100     # noqa: E731
        if i == 4:
            step = len
    return out


def swapped_through_nonlocal(n):
    def a(x):
        return x + 1

    def b(x):
        nonlocal a
        a = lambda y: y - 1      # noqa: E731
        return x

    t = [a(1), b(0), a(1)]
    return t


def raises_inside(n):
    def check(x):
        if x > n:
            raise ValueError(f"{x} > {n}")
        return x
    t = 0
    for i in range(n + 3):
        t += check(i)
    return t


def _outcome(f, *args):
    try:
        return "ok", f(*args)
    except Exception as e:
        tb = [(fr.name, fr.lineno) for fr in traceback.extract_tb(e.__traceback__)][1:]
        return "exc", type(e), str(e), tb


def test_a_kept_function_is_called_compiled():
    text = show(queens.__code__, "spec", (6,))
    assert "kept=True" in text
    c = jit.compile(queens)
    for n in range(1, 8):
        assert c(n) == queens(n), n


def test_recursion_through_a_cell_and_a_dict():
    c = jit.compile(memo_fib)
    for n in (0, 1, 2, 10, 90, 120):     # past 2**63: the adds deoptimise
        assert c(n) == memo_fib(n), n


def test_arguments_of_every_type():
    c = jit.compile(local_helper)
    for xs, scale in (([1, 2, 3], 2), ([1.5, 2.5], 0.5), (["a", "b"], 3), ([2**62, 2**62], 4),
                      ([1, "a"], 2), ([], 1), ([True, False], True)):
        assert _outcome(c, xs, scale) == _outcome(local_helper, xs, scale), (xs, scale)


def test_whatever_the_variable_holds_now():
    c = jit.compile(rebinds)
    assert _outcome(c, 8) == _outcome(rebinds, 8)
    d = jit.compile(swapped_through_nonlocal)
    assert d(0) == swapped_through_nonlocal(0)


def test_errors_and_tracebacks_from_a_kept_function():
    c = jit.compile(raises_inside)
    assert _outcome(c, 5) == _outcome(raises_inside, 5)


def test_deep_recursion_in_a_kept_function():
    def depth(n):
        def down(k):
            return 0 if k == 0 else 1 + down(k - 1)
        return down(n)
    c = jit.compile(depth)
    assert c(500) == 500
    limit = sys.getrecursionlimit()
    assert _outcome(c, limit + 100)[:2] == ("exc", RecursionError)


K = 1


def other_globals(n):
    import types

    def f(x):
        return x + K
    r = [f(n)]
    f = types.FunctionType(f.__code__, {"K": 1000})
    r.append(f(n))
    f = types.FunctionType(f.__code__, {"K": 5, "__builtins__": {}})
    r.append(f(n))
    return r


def changes_type(n):
    def f(k, acc):
        if k == 0:
            return acc
        return f(k - 1, acc / 2)
    return f(n, 1)


def steps_by_floats(n):
    log = []

    def f(k):
        log.append(k)
        if k <= 0:
            return 0
        return f(k - 1.5) + 1
    return f(n), log


def test_a_function_of_the_same_code_in_other_namespaces():
    c = jit.compile(other_globals)
    assert c(1) == c(1) == other_globals(1) == [2, 1001, 6]


def test_arguments_that_change_type_in_recursion():
    c, d = jit.compile(changes_type), jit.compile(steps_by_floats)
    for n in (0, 2, 5):
        assert c(n) == changes_type(n)
        assert d(n) == steps_by_floats(n) and d(n) == steps_by_floats(n)


def calls_back(n):
    def l2(y):
        def l3(z):
            return l2(z - 1) if z > 0 else 1
        return l3(y - 1) + 1 if y > 0 else 1
    return l2(n)


def test_a_nested_function_calling_the_one_it_is_nested_in():
    c = jit.compile(calls_back)
    for n in (0, 1, 3, 8):
        assert c(n) == calls_back(n)
    d = jit.jit(calls_back)
    assert d(6) == calls_back(6)


def raw_helper(n, k):
    def mix(x, y):
        return x * y + 1        # outgrows 64 bits for large x: a deopt inside the copy
    def div(a, b):
        return a // b           # ZeroDivisionError, raised inside the copy
    t = 0
    for i in range(n):
        t += mix(i, k)
    q = div(t, k - 3)
    return t, q


def raw_float_helper(xs, s):
    def f(x, y):
        return x * s + y if x > 0.5 else -y
    acc = 0.0
    for i in range(len(xs)):
        acc += f(xs[i], 0.25)
    return acc


def test_numbers_are_passed_raw_to_a_kept_function():
    # every argument a number the caller has unboxed: the copy takes them raw (its
    # direct entry), not boxed to be unboxed again
    text = show(raw_helper.__code__, "spec", (10, 7))
    assert "raw_args=True" in text
    c = jit.compile(raw_helper)
    for n, k in ((10, 7), (0, 5), (50, 2**60), (10, 3), (10, 2.5), (10, 2**70), (3, -1)):
        for _ in range(2):
            assert _outcome(c, n, k) == _outcome(raw_helper, n, k), (n, k)
    e = _outcome(c, 10, 3)
    assert e[0] == "exc" and e[1] is ZeroDivisionError and e[3][-1][0] == "div"
    d = jit.compile(raw_float_helper)
    for xs, s in (([0.1, 0.9, 2.0], 3.0), ([1.0] * 20, 2), ([0.7], float("nan")), ([], 1.0)):
        for _ in range(2):
            assert repr(d(xs, s)) == repr(raw_float_helper(xs, s))


def test_raw_calls_leak_nothing():
    c = jit.compile(raw_helper)
    k = 10**3 + 7
    c(20, k)
    before = sys.getrefcount(k)
    for _ in range(500):
        c(20, k)
    assert sys.getrefcount(k) == before


def mixed_results(n, m):
    def f(x):
        if x == 13:
            return None
        if x == 17:
            return 2.5
        return x * m           # an int past 64 bits for a big m
    out, t = [], 0
    for i in range(n):
        r = f(i)
        out.append(r)
        if isinstance(r, int):
            t += r
    return t, out[-4:]


def test_a_number_result_comes_back_raw():
    # a kept function returning an int for ints hands it back raw; an object it
    # returns instead (None, a float, a big int) resumes after the call with it
    text = show(raw_helper.__code__, "spec", (10, 7))
    assert any(":i64 = call" in line and "kept=True" in line for line in text.splitlines())
    c = jit.compile(mixed_results)
    for n, m in ((20, 3), (20, 2**62), (20, 1.5), (5, True), (20, 3)):
        for _ in range(2):
            assert _outcome(c, n, m) == _outcome(mixed_results, n, m), (n, m)


def annotated_helper(n):
    def sq(x: int, k: int = 2) -> int:
        return x * x + k
    t = 0
    for i in range(n):
        t += sq(i, 3) + sq(i)        # the second relies on the default: an ordinary call
    return t


def test_annotations_and_defaults_do_not_keep_a_helper_interpreted():
    # a call passing every parameter positionally runs the compiled copy whatever
    # defaults or annotations the function has
    text = show(annotated_helper.__code__, "spec", (10,))
    assert text.count("kept=True") == 1
    c = jit.compile(annotated_helper)
    for n in (0, 10, 3000):
        assert c(n) == annotated_helper(n)
