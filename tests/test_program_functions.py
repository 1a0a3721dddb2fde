"""A plain function of the program's (same module) that specialised code calls is
compiled too, and the call goes to its native code directly: exactly as calling
the function itself, while it stays the same function with the same code and
defaults."""
import sys
import traceback

import jit


def square_plus(x, k=1):
    return x * x + k


def total(n):
    t = 0
    for i in range(n):
        t += square_plus(i)
    return t


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def run_fib(n):
    return fib(n)


def fails(x):
    if x > 3:
        raise ValueError(f"too big: {x}")
    return x


def calls_fails(n):
    t = 0
    for i in range(n):
        t += fails(i)
    return t


def where_am_i(x):
    return sys._getframe().f_code.co_name, x


def asks_where(n):
    return [where_am_i(i)[0] for i in range(n)]


def _explain_of(compiled_caller, name):
    from jit.specialize import _PROGRAM_FUNCTIONS
    for fn, (_, ref) in list(_PROGRAM_FUNCTIONS.items()):
        if fn.__name__ == name and ref() is not None:
            return jit.explain(ref())
    return None


def test_a_helper_is_compiled_and_called_natively():
    c = jit.compile(total)
    assert c(50) == total(50)
    text = str(jit.explain(c))
    assert "specialised" in text
    helper = _explain_of(c, "square_plus")
    assert helper is not None and "(int, int): specialised" in helper
    assert type(square_plus) is type(total)       # the function object is untouched


def test_recursion_through_a_helper():
    c = jit.compile(run_fib)
    assert c(20) == run_fib(20) == 6765
    assert "specialised" in _explain_of(c, "fib")


def test_a_changed_helper_is_seen():
    global square_plus
    c = jit.compile(total)
    assert c(30) == total(30)
    original = square_plus
    try:
        square_plus.__defaults__ = (5,)
        assert c(30) == total(30)
        square_plus.__code__ = (lambda x, k=1: x + k).__code__
        assert c(30) == total(30)
        square_plus.__code__ = original.__code__
        square_plus.__defaults__ = (1,)
        square_plus = lambda x, k=1: -x  # noqa: E731  (rebinding the global)
        assert c(30) == total(30)
    finally:
        square_plus = original
        square_plus.__code__ = (lambda x, k=1: x * x + k).__code__
        square_plus.__defaults__ = (1,)
    assert c(30) == total(30)


def test_a_helpers_errors_and_tracebacks():
    c = jit.compile(calls_fails)
    assert c(3) == calls_fails(3)
    for f in (calls_fails, c):
        try:
            f(10)
        except ValueError as e:
            got = (str(e), [(fr.name, fr.lineno) for fr in traceback.extract_tb(e.__traceback__)][1:])
        if f is calls_fails:
            want = got
    assert got == want


def test_a_helper_reading_frames_stays_interpreted():
    c = jit.compile(asks_where)
    assert c(3) == asks_where(3) == ["where_am_i"] * 3


def test_helpers_with_other_arguments_keep_working():
    c = jit.compile(total)
    for n in (0, 1, 10, True, 3.0):
        try:
            want = ("ok", total(n))
        except Exception as e:
            want = ("exc", type(e), str(e))
        try:
            got = ("ok", c(n))
        except Exception as e:
            got = ("exc", type(e), str(e))
        assert got == want, n


def score(word, weights, bonus=0):
    t = bonus
    for ch in word:
        t += weights.get(ch, 1)
    if t > 40:
        raise OverflowError(f"{word} scores too much")
    return t


def best_score(words, weights):
    best = 0
    for w in words:
        s = score(w, weights, bonus=1) + score(w, weights)
        if s > best:
            best = s
    return best


def test_a_helper_taking_other_objects_runs_its_compiled_copy():
    global score
    c = jit.compile(best_score)
    weights = {c: i for i, c in enumerate("abcdefghij")}
    words = ["abc", "hello", "jj", ""] * 5
    assert c(words, weights) == best_score(words, weights)
    from runtime import funcobject
    spec = funcobject.get_state(c).dispatcher.rows[0][1]
    assert "repr='<compiled score>'" in str(spec.native.ir)     # the copy is what is called
    for ws in (["jjjjj"], ["x", 3], [b"ab"]):
        want, got = [], []
        for f, out in ((best_score, want), (c, got)):
            try:
                out.append(("ok", f(ws, weights)))
            except Exception as e:
                out.append(("exc", type(e), str(e),
                            [fr.lineno for fr in traceback.extract_tb(e.__traceback__)][1:]))
        assert got == want, ws
    original = score
    try:
        score = lambda w, ws, bonus=0: len(w)    # noqa: E731
        assert c(words, weights) == best_score(words, weights)
    finally:
        score = original
    code = score.__code__
    try:
        score.__code__ = (lambda w, ws, bonus=0: -1).__code__
        assert c(words, weights) == best_score(words, weights) == 0
    finally:
        score.__code__ = code
    assert c(words, weights) == best_score(words, weights)


def plus_one(x):
    return x + 1


def call_plus_one(n):
    return plus_one(n)


def call_plus_one_again(n):
    return plus_one(n)


def test_a_helper_whose_code_changed_is_compiled_again():
    c1 = jit.compile(call_plus_one)
    assert c1(3) == c1(3) == 4
    code = plus_one.__code__
    try:
        plus_one.__code__ = (lambda x: x * 100).__code__
        c2 = jit.compile(call_plus_one_again)
        assert c2(3) == c2(3) == 300
        assert c1(3) == 300 and c1(1.5) == 150.0
        plus_one.__code__ = (lambda x, y: x * y).__code__
        for f in (call_plus_one_again, jit.compile(call_plus_one_again), c1):
            try:
                f(4)
            except TypeError as e:
                assert "missing 1 required positional argument: 'y'" in str(e)
            else:
                raise AssertionError("no TypeError")
    finally:
        plus_one.__code__ = code


def test_a_helper_warning_under_another_name_stays_interpreted():
    import warnings
    namespace = {}
    exec(compile(
        "from warnings import warn as w\n"
        "def helper(x):\n"
        "    w('careful')\n"
        "    return x + 1\n"
        "def main(x):\n"
        "    return helper(x)\n", "<warns>", "exec"), namespace)
    for fn in (namespace["main"], jit.compile(namespace["main"])):
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            fn(1)
            fn(2)
        assert [(r.filename, r.lineno) for r in rec] == [("<warns>", 3)] * 2


def join_tail(s, b="x"):
    return s + b


def calls_join(n):
    return [join_tail("a"), join_tail("a", b="b")]


def test_a_copy_call_sees_new_defaults_and_names():
    c = jit.compile(calls_join)
    assert c(1) == c(1) == calls_join(1)
    try:
        join_tail.__defaults__ = ("Y",)
        assert c(1) == calls_join(1) == ["aY", "ab"]
        join_tail.__kwdefaults__ = {}
        join_tail.__qualname__ = "renamed"
        assert c(1) == calls_join(1)
    finally:
        join_tail.__defaults__ = ("x",)
        join_tail.__kwdefaults__ = None
        join_tail.__qualname__ = "join_tail"


def test_a_helper_with_other_builtins():
    import builtins
    namespace = {"__builtins__": dict(vars(builtins), len=lambda x: 42)}
    exec("def h(a):\n    return a + len([1])\n", namespace)
    h = namespace["h"]
    assert jit.compile(h)(1) == h(1) == 43
    namespace2 = {"__builtins__": namespace["__builtins__"], "h": h}
    exec("def entry(n):\n    return h(n)\n", namespace2)
    c = jit.compile(namespace2["entry"])
    assert c(1) == c(1) == 43


def who(a):
    return (lambda: sys._getframe(1).f_code.co_name)()


def who2(a):
    return [sys._getframe(1).f_code.co_name for _ in range(1)]


def asks_who(n):
    return who(n), who2(n)


def test_frame_readers_in_a_helpers_nested_code():
    c = jit.compile(asks_who)
    assert c(1) == c(1) == asks_who(1) == ("who", ["who2"])


def scaled(x, *, k, off=0.0):
    return x * k + off


def scaled_sum(n, k):
    s = 0.0
    for i in range(n):
        s += scaled(i, k=k, off=0.5) + scaled(i, k=k)    # the second takes off's default
    return s


def test_a_helper_with_keyword_only_parameters():
    # every keyword-only parameter passed: a direct native call; one left to its
    # default (in __kwdefaults__, a dict that may change in place): an ordinary call
    # of the compiled copy, which reads it at each call
    c = jit.compile(scaled_sum)
    for n, k in ((10, 2), (10, 2.5), (10, 2**62), (3, "ab"), (10, 2)):
        try:
            want = ("ok", scaled_sum(n, k))
        except Exception as e:
            want = ("exc", type(e), str(e))
        try:
            got = ("ok", c(n, k))
        except Exception as e:
            got = ("exc", type(e), str(e))
        assert got == want, (n, k)
    scaled.__kwdefaults__["off"] = 100.0
    try:
        assert c(10, 2) == scaled_sum(10, 2)
    finally:
        scaled.__kwdefaults__["off"] = 0.0
    # the call passing every keyword-only parameter is a direct native call; the
    # copy's row for (int, float, float) was made for its types
    from runtime import funcobject
    c = jit.compile(scaled_sum)
    assert c(10, 1.5) == scaled_sum(10, 1.5)
    (_, spec), = funcobject.get_state(c).dispatcher.rows
    assert str(spec.native.ir).count("direct_call") == 1
    helper = _explain_of(c, "scaled")
    assert helper is not None and "(int, float, float): specialised" in helper
