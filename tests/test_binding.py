"""runtime.binding: a binder binds arguments exactly as the original function.

Every test function's body returns its parameters in co_varnames order, so
the binder and the original must agree on the result *or* raise the same
exception type with the same message.
"""
from __future__ import annotations

import inspect
import keyword
import random
import sys
import types

import pytest

from runtime.binding import binder_names, binder_nparams, make_binder

SENTINEL = object()


def outcome(fn, args, kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001 - we compare any exception
        return ("raise", type(exc), str(exc))


def assert_same_binding(f, calls):
    b = make_binder(f)
    for args, kwargs in calls:
        expected = outcome(f, args, kwargs)
        got = outcome(b, args, kwargs)
        assert got == expected, (f.__qualname__, args, kwargs)


# --- hand-written signatures -------------------------------------------------

def f0():
    return ()


def f1(a):
    return (a,)


def f2(a, b):
    return (a, b)


def f3(a, b=2, c=SENTINEL):
    return (a, b, c)


def f4(a, b, /, c, d=4):
    return (a, b, c, d)


def f5(a=1, /, *args):
    return (a, args)


def f6(*, a, b=2):
    return (a, b)


def f7(a, *args, b, c=3, **kwargs):
    return (a, b, c, args, kwargs)


def f8(**kwargs):
    return (kwargs,)


def f9(a, b=2, /, c=3, *args, d, e=5, **kw):
    return (a, b, c, d, e, args, kw)


def f10(self, list, print=print, *, dict=dict, type=None):  # builtins as parameter names
    return (self, list, print, dict, type)


def f11(a0, a1, /, a2=0, *a3, a4, **a5):  # the binder's own placeholder names
    return (a0, a1, a2, a4, a3, a5)


def f12(x, /, **kwargs):
    return (x, kwargs)


class C:
    def m(self, a, b=1, *, c):
        return (self, a, b, c)

    def __private(self, __x, y=0):  # mangled parameter names
        return (self, __x, y)

    def outer(self):
        def inner(a, /, b):
            return (a, b)
        return inner


FUNCS = [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, C.m, C._C__private, C().outer()]

ARGSETS = [
    ((), {}),
    ((1,), {}),
    ((1, 2), {}),
    ((1, 2, 3), {}),
    ((1, 2, 3, 4), {}),
    ((1, 2, 3, 4, 5, 6), {}),
    ((), {"a": 1}),
    ((), {"a": 1, "b": 2}),
    ((1,), {"a": 1}),
    ((1,), {"b": 2}),
    ((1, 2), {"b": 3}),
    ((1,), {"c": 3}),
    ((1, 2), {"c": 3, "d": 4}),
    ((1, 2, 3), {"d": 4, "e": 5}),
    ((1,), {"z": 0}),
    ((1, 2), {"a": 1, "z": 0}),
    ((), {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}),
    ((1, 2), {"x": 1, "kwargs": 2, "args": 3}),
    ((), {"self": 0, "list": 1}),
    ((0, 1), {"print": 2, "dict": 3, "type": 4}),
    ((0, 1, 2, 3, 4), {"dict": 3}),
    ((0, 1), {"a2": 1, "a4": 4}),
    ((0, 1), {"a0": 1, "a4": 4}),
    ((0, 1, 2, 3, 4), {"a4": 4, "a5": 5}),
    ((1,), {"_C__x": 2}),
    ((1, 2), {"_C__x": 2}),
    ((C(), 1), {"c": 2}),
    ((C(),), {"a": 1, "c": 2, "b": 3}),
]


@pytest.mark.parametrize("f", FUNCS, ids=lambda f: f.__qualname__)
def test_handwritten_signatures(f):
    assert_same_binding(f, ARGSETS)


def test_error_messages_are_the_originals():
    b = make_binder(f9)
    with pytest.raises(TypeError) as e:
        b(d=1)
    assert str(e.value) == "f9() missing 1 required positional argument: 'a'"
    with pytest.raises(TypeError) as e:
        b(1)
    assert str(e.value) == "f9() missing 1 required keyword-only argument: 'd'"
    with pytest.raises(TypeError) as e:
        make_binder(f3)(1, 2, 3, 4)
    assert str(e.value) == "f3() takes from 1 to 3 positional arguments but 4 were given"
    with pytest.raises(TypeError) as e:
        make_binder(f2)(1, 2, 3)
    assert str(e.value) == "f2() takes 2 positional arguments but 3 were given"
    with pytest.raises(TypeError) as e:
        make_binder(f2)(1, a=2)
    assert str(e.value) == "f2() got multiple values for argument 'a'"
    with pytest.raises(TypeError) as e:
        make_binder(f2)(1, 2, z=2)
    assert str(e.value) == "f2() got an unexpected keyword argument 'z'"
    with pytest.raises(TypeError) as e:
        make_binder(f4)(a=1, b=2, c=3)
    assert str(e.value) == "f4() got some positional-only arguments passed as keyword arguments: 'a, b'"
    with pytest.raises(TypeError) as e:
        make_binder(C.m)(C(), 1)
    assert str(e.value) == "C.m() missing 1 required keyword-only argument: 'c'"


def test_unusual_call_forms():
    for f in (f2, f7, f9, f12):
        b = make_binder(f)
        for call in (
            lambda g: g(**{1: 2}),
            lambda g: g(1, **{"a": 1}),
            lambda g: g(**{"a": 1}, **{"a": 2}),
            lambda g: g(*1),
            lambda g: g(**1),
            lambda g: g(*[1, 2], **{"d": 4}),
            lambda g: g(*(i for i in range(3)), d=0),
        ):
            assert outcome(call, (b,), {}) == outcome(call, (f,), {})


def test_returned_order_is_co_varnames():
    b = make_binder(f9)
    assert binder_nparams(f9.__code__) == 7
    assert binder_names(f9.__code__) == ("a", "b", "c", "d", "e", "args", "kw")
    assert b.__code__.co_varnames == binder_names(f9.__code__)
    assert b(1, 2, 3, 4, d=5, z=6) == (1, 2, 3, 5, 5, (4,), {"z": 6})
    assert make_binder(f0)() == ()
    assert make_binder(f1)(1) == (1,)
    assert make_binder(f8)(x=1) == ({"x": 1},)


def test_cell_parameters():
    def f(a, b=1, *args, **kw):
        def g():
            return a, args, kw
        return (a, b, args, kw)
    assert_same_binding(f, ARGSETS)
    assert binder_names(f.__code__) == ("a", "b", "args", "kw")


def test_generator_and_coroutine_signatures():
    def gen(a, *, b=1):
        yield a

    async def coro(a, /, b):
        return a

    for f in (gen, coro):
        b = make_binder(f)
        for args, kwargs in ARGSETS:
            e = outcome(lambda: f(*args, **kwargs), (), {})
            g = outcome(b, args, kwargs)
            if e[0] == "raise":
                assert g == e
            else:
                assert g[0] == "ok"
                e[1].close()


def test_defaults_identity_and_sharing():
    d1, d2 = object(), object()

    def f(a, b=d1, *, c=d2):
        return (a, b, c)

    b = make_binder(f)
    assert b.__defaults__ is f.__defaults__
    assert b.__kwdefaults__ is f.__kwdefaults__
    r = b(0)
    assert r[1] is d1 and r[2] is d2
    # the kwdefaults dict is shared: in-place updates are seen
    f.__kwdefaults__["c"] = d1
    assert b(0)[2] is d1
    # defaults are read at call time
    b.__defaults__ = (1, 2)
    assert b() == (1, 2, d1)


def test_defaults_longer_than_parameters():
    def f(a, b):
        return (a, b)
    f.__defaults__ = (0, 1, 2)
    assert_same_binding(f, ARGSETS)


def test_metadata():
    b = make_binder(C.m)
    assert b.__name__ == "m"
    assert b.__qualname__ == "C.m"
    assert b.__module__ == C.m.__module__
    assert b.__code__.co_name == "m"
    assert b.__code__.co_qualname == "C.m"
    assert inspect.signature(b) == inspect.signature(C.m)

    def annotated(a: int, *, b: "str" = "x") -> list:
        "doc"
        return (a, b)
    ab = make_binder(annotated)
    assert inspect.signature(ab) == inspect.signature(annotated)
    assert ab.__doc__ == "doc"


def test_binding_error_has_no_binder_traceback_entry():
    b = make_binder(f2)
    for call in (lambda: b(), lambda: b(1, 2, 3), lambda: b(1, z=2)):
        with pytest.raises(TypeError) as e:
            call()
        frames = []
        tb = e.value.__traceback__
        while tb is not None:
            frames.append(tb.tb_frame.f_code)
            tb = tb.tb_next
        assert b.__code__ not in frames
        assert frames[-1].co_name == "<lambda>"


def test_not_a_function():
    for obj in (len, C, C().m, None):
        with pytest.raises(TypeError):
            make_binder(obj)


# --- parameter names that are not identifiers in source ------------------------

@pytest.mark.parametrize("names", [
    (".0",),
    ("if", "class"),
    ("a", "é", "ℌ"),
    ("x y", "*"),
])
def test_odd_parameter_names(names):
    n = len(names)
    src = f"def f({', '.join(f'p{i}' for i in range(n))}):\n    return ({', '.join(f'p{i}' for i in range(n))},)\n"
    ns = {}
    exec(src, ns)
    f = ns["f"]
    f.__code__ = f.__code__.replace(co_varnames=names)
    calls = [((1,) * n, {}), ((), {}), ((1,) * (n + 1), {}),
             ((), {names[0]: 1}), ((1,) * n, {names[-1]: 2}), ((), {k: 1 for k in names})]
    assert_same_binding(f, calls)


# --- random signatures ------------------------------------------------------------

NAMES = ["a", "b", "c", "d", "e", "x", "y", "self", "list", "a0", "a1", "args", "kw"]


def random_function(rng):
    names = rng.sample(NAMES, rng.randint(0, 7))
    varargs = rng.random() < 0.3 and "va"
    varkw = rng.random() < 0.3 and "vk"
    npos = rng.randint(0, len(names))
    nposonly = rng.randint(0, npos) if rng.random() < 0.4 else 0
    pos, kwonly = names[:npos], names[npos:]
    ndef = rng.randint(0, npos)
    params = []
    for i, n in enumerate(pos):
        params.append(n + (f"={i}" if i >= npos - ndef else ""))
        if nposonly and i == nposonly - 1:
            params.append("/")
    if varargs:
        params.append("*" + varargs)
    elif kwonly:
        params.append("*")
    for n in kwonly:
        params.append(n + ("=-1" if rng.random() < 0.5 else ""))
    if varkw:
        params.append("**" + varkw)
    order = pos + kwonly + ([varargs] if varargs else []) + ([varkw] if varkw else [])
    src = (f"def f({', '.join(params)}):\n"
           f"    return ({''.join(v + ', ' for v in order)})\n")
    ns = {}
    exec(src, ns)
    ns["f"].__qualname__ = "Outer.f"
    return ns["f"], src


def random_calls(rng, f, k=25):
    own = list(binder_names(f.__code__))
    others = NAMES + ["va", "vk", "zz"]
    code = f.__code__
    calls = []
    for _ in range(k):
        args = tuple(range(100, 100 + rng.randint(0, code.co_argcount + 2)))
        pool = own if own and rng.random() < 0.8 else others
        kwargs = {n: 200 + i for i, n in enumerate(rng.sample(pool, rng.randint(0, min(5, len(pool)))))}
        if rng.random() < 0.2:
            kwargs[rng.choice(others)] = 300
        calls.append((args, kwargs))
    return calls


def test_random_signatures():
    rng = random.Random(1234)
    for _ in range(400):
        f, src = random_function(rng)
        try:
            assert_same_binding(f, random_calls(rng, f))
        except AssertionError:
            print(src)
            raise


def test_keywords_module_is_not_in_the_way():
    # parameter names that are soft keywords are fine as identifiers
    soft = [n for n in getattr(keyword, "softkwlist", []) if n.isidentifier()]
    if not soft:
        pytest.skip("no soft keywords")
    src = f"def f({', '.join(soft)}):\n    return ({', '.join(soft)},)\n"
    ns = {}
    exec(src, ns)
    assert_same_binding(ns["f"], [((1,) * len(soft), {}), ((), {soft[0]: 1})])


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 type parameters")
def test_type_params_are_copied():
    ns = {}
    exec("def g[T](x: T) -> T:\n    return (x,)\n", ns)
    g = ns["g"]
    b = make_binder(g)
    assert b.__type_params__ == g.__type_params__
    assert inspect.signature(b) == inspect.signature(g)
    assert isinstance(b, types.FunctionType)


def test_compiled_functions_bind_like_the_originals():
    # a compiled function's entry binds keywords itself when it can (each name a
    # parameter after the positional-only ones, found by identity, none given twice,
    # every missing parameter defaulted), else through the binder: either way
    # exactly as the original, errors included
    import jit
    rng = random.Random(4321)
    for _ in range(150):
        f, src = random_function(rng)
        g = jit.compile(f)
        calls = random_calls(rng, f, k=12)
        # names equal to the parameters but not the same objects: the binder's path
        calls += [(args, {"".join(list(k)) + "": v for k, v in kwargs.items()})
                  for args, kwargs in calls[:4]]
        for args, kwargs in calls:
            for _ in range(2):      # the generic entry, then the specialised one
                assert outcome(g, args, kwargs) == outcome(f, args, kwargs), (src, args, kwargs)


def test_compiled_function_keywords_see_defaults_changes():
    import jit

    def f(a, b=2, c=3):
        return a, b, c
    g = jit.compile(f)
    assert [g(1, c=5) for _ in range(3)] == [(1, 2, 5)] * 3
    g.__defaults__ = (20, 30)
    assert g(1, c=5) == (1, 20, 5) and g(c=7, a=0) == (0, 20, 7)
    g.__defaults__ = (30,)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'b'"):
        g(1, c=5)
    g.__defaults__ = None
    assert g(b=1, a=2, c=3) == (2, 1, 3)
    with pytest.raises(TypeError, match="got multiple values for argument 'a'"):
        g(1, a=2)
    with pytest.raises(TypeError, match="got an unexpected keyword argument 'd'"):
        g(1, 2, 3, d=4)


def test_compiled_function_positional_only_by_keyword():
    import jit

    def f(a, b=2, /, c=3):
        return a, b, c
    g = jit.compile(f)
    for _ in range(2):
        assert g(1, c=4) == (1, 2, 4)
        for args, kwargs in [((1,), {"b": 5}), ((), {"a": 1}), ((1, 2), {"b": 5, "c": 1})]:
            assert outcome(g, args, kwargs) == outcome(f, args, kwargs)
            assert outcome(g, args, kwargs)[0] == "raise"


def _binder_calls(g, call):
    """How many times ``call()`` ran g's binder (a Python function: its frames are
    seen by a profile hook)."""
    from runtime import funcobject
    code = funcobject.get_binder(g).__code__
    seen = []
    sys.setprofile(lambda frame, event, arg: seen.append(frame.f_code)
                   if event == "call" else None)
    try:
        call()
    finally:
        sys.setprofile(None)
    return sum(c is code for c in seen)


def test_keyword_only_varargs_and_varkw_signatures_bind_natively():
    # keyword-only parameters, *args and **kwargs are bound by the compiled entry
    # itself in the plain cases (the binder, a Python call, only raises the errors)
    import jit

    def f(a, /, b, *args, c, d=4, **kw):
        return a, b, args, c, d, kw
    g = jit.compile(f)
    plain = [((1, 2), {"c": 3}), ((1, 2, 3, 4), {"c": 5, "z": 6}),
             ((1,), {"b": 2, "c": 3, "d": 0}), ((1, 2), {"c": 3, "a": 9})]
    for args, kwargs in plain:
        assert outcome(g, args, kwargs) == outcome(f, args, kwargs)
        assert _binder_calls(g, lambda: g(*args, **kwargs)) == 0
    errors = [((1, 2), {}), ((), {"a": 1, "b": 2, "c": 3}), ((1, 2), {"c": 3, "b": 1})]
    for args, kwargs in errors:
        assert outcome(g, args, kwargs) == outcome(f, args, kwargs)
        assert outcome(g, args, kwargs)[0] == "raise"
    # a keyword equal to a parameter's name but another str object: the binder's
    name = "".join(["c"])
    assert outcome(g, (1, 2), {name: 3}) == outcome(f, (1, 2), {name: 3})
    # each call has a *args tuple and a **kwargs dict of its own
    r1, r2 = g(1, 2, 3, c=0, x=1), g(1, 2, 3, c=0, x=1)
    assert r1 == r2 and r1[5] is not r2[5]
    r1[5]["y"] = 2
    assert g(1, 2, c=0) == (1, 2, (), 0, 4, {})


def test_keyword_only_defaults_are_read_at_each_call():
    import jit

    def f(a, *, b=1, c):
        return a + b + c
    g = jit.compile(f)
    assert [g(1, c=1) for _ in range(3)] == [3] * 3
    g.__kwdefaults__ = {"b": 10, "c": 100}
    assert g(1) == 111 and g(1, c=0) == 11
    g.__kwdefaults__ = None
    for _ in range(2):
        assert outcome(g, (1,), {"c": 0}) == outcome(f, (1,), {"c": 0})
        assert "missing 1 required keyword-only argument: 'b'" in outcome(g, (1,), {"c": 0})[2]


def test_native_binding_leaks_nothing():
    import jit

    def f(a, *args, k=None, **kw):
        return len(args) + len(kw)
    g = jit.compile(f)
    value, key = object(), "".join(["zz", "top"])
    g(value, value, k=value, **{key: value})
    before = sys.getrefcount(value), sys.getrefcount(key)
    for _ in range(2000):
        g(value, value, k=value, **{key: value})
        outcome(g, (), {"k": value})          # (an error, through the binder)
    assert (sys.getrefcount(value), sys.getrefcount(key)) == before


def test_defaults_taken_natively_are_held_through_the_call():
    # the first call of a signature compiles (Python code: here a gc callback) in
    # between binding and running; a default rebound meanwhile must stay alive for
    # the call, as the interpreter's frame holds it (helper 49: freed memory read)
    import gc
    import jit

    def f(a=None, *, b=None):
        return a, b
    g = jit.compile(f)
    g.__defaults__ = ([1, 2],)
    g.__kwdefaults__ = {"b": [3, 4]}

    def drop(phase, info):
        if phase == "start" and g.__kwdefaults__["b"] is not None:
            g.__kwdefaults__ = {"b": None}
            g.__defaults__ = (None,)
    gc.callbacks.append(drop)
    threshold = gc.get_threshold()
    gc.set_threshold(1)
    try:
        r = g()
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(drop)
    junk = [[0] * 2 for _ in range(10000)]
    assert r == ([1, 2], [3, 4]) and len(junk) == 10000


def test_a_keyword_of_a_str_subclass_binds_as_the_interpreter_does():
    # its __eq__ decides which parameter it names (the binder's comparison)
    import jit

    class Key(str):
        def __eq__(self, other):
            return True
        __hash__ = str.__hash__

    def f(a, /, b=0, **kw):
        return b, kw

    def h(a, b=0, **kw):
        return a, b, kw
    for fn in (f, h):
        g = jit.compile(fn)
        for _ in range(2):
            assert outcome(g, (1,), {Key("zz"): 5}) == outcome(fn, (1,), {Key("zz"): 5})
