"""runtime.funcobject: the CompiledFunction type, tested with hand-made entries.

The entries here are small LLVM IR vectorcall functions, so the type is
tested independently of the compiler.  The state of every test object is a
tuple ``(LIB, target, ...)``: ``test_forward`` calls ``target`` with the
arguments it was given (so a CompiledFunction forwarding to ``f`` behaves
like ``f``).
"""
from __future__ import annotations

import copy
import ctypes
import functools
import gc
import inspect
import pickle
import sys
import tracemalloc
import types
import weakref

import pytest

import jit
from jit import engine
from runtime import funcobject as fo
from runtime.binding import make_binder

ITEMS = tuple.__basicsize__      # offset of a tuple's ob_item[0]
IR = f"""
declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)
declare ptr @PyLong_FromSsize_t(i64)
declare void @Py_IncRef(ptr)

; state[1](*args, **kwargs)
define ptr @test_forward(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{
  %ps = getelementptr i8, ptr %callable, i64 {fo.OFF_STATE}
  %st = load ptr, ptr %ps
  %pt = getelementptr i8, ptr %st, i64 {ITEMS + 8}
  %target = load ptr, ptr %pt
  %r = call ptr @PyObject_Vectorcall(ptr %target, ptr %args, i64 %nargsf, ptr %kwnames)
  ret ptr %r
}}

; the number of positional arguments
define ptr @test_nargs(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{
  %n = and i64 %nargsf, 9223372036854775807
  %r = call ptr @PyLong_FromSsize_t(i64 %n)
  ret ptr %r
}}

; args[0]
define ptr @test_first(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{
  %a = load ptr, ptr %args
  call void @Py_IncRef(ptr %a)
  ret ptr %a
}}
"""
LIB = engine.compile_ir(IR, exports=["test_forward", "test_nargs", "test_first"], imports={
    name: ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value
    for name in ("PyObject_Vectorcall", "PyLong_FromSsize_t", "Py_IncRef")})


def make(f, target=None, entry="test_forward", extra=(), binder=None):
    state = (LIB, f if target is None else target, *extra)
    return fo.make_compiled_function(f, LIB.address(entry), state, binder)


class Sentinel:
    """A weak-referenceable marker put into states to watch their lifetime."""


def sample(a, b=2, *args, c, d=4, **kwargs):
    "The docstring."
    return (a, b, args, c, d, kwargs)


sample.tag = "tagged"


def outcome(fn, *args, **kwargs):
    try:
        return ("ok", fn(*args, **kwargs))
    except Exception as exc:  # noqa: BLE001
        return ("raise", type(exc), str(exc))


# --- calling ------------------------------------------------------------------

def test_calls_forward_arguments():
    cf = make(sample)
    assert cf(1, c=3) == sample(1, c=3)
    assert cf(1, 2, 3, 4, c=5, d=6, e=7) == (1, 2, (3, 4), 5, 6, {"e": 7})
    assert cf(*[1, 2], **{"c": 0}) == (1, 2, (), 0, 4, {})
    for args, kwargs in [((), {}), ((1,), {}), ((1,), {"a": 1, "c": 2}), ((1,), {"z": 1, "c": 1})]:
        assert outcome(cf, *args, **kwargs) == outcome(sample, *args, **kwargs)


def test_entry_sees_vectorcall_arguments():
    n = make(sample, entry="test_nargs")
    assert n() == 0
    assert n(1, 2, 3) == 3
    assert n(1, x=2) == 1            # keywords are not counted in nargs
    assert n(*range(10)) == 10
    first = make(sample, entry="test_first")
    x = object()
    assert first(x) is x


def test_call_through_tp_call_and_other_paths():
    cf = make(sample)
    assert type(cf).__call__(cf, 1, c=2) == sample(1, c=2)
    assert functools.partial(cf, 1)(c=2) == sample(1, c=2)
    assert list(map(make(sample, entry="test_first"), [1, 2])) == [1, 2]
    assert sorted([3, 1, 2], key=make(sample, entry="test_first")) == [1, 2, 3]


def test_caller_side_errors_match_the_original():
    cf = make(sample)
    for call in (lambda g: g(*1), lambda g: g(**1), lambda g: g(1, **{"c": 1}, **{"c": 2})):
        assert outcome(call, cf) == outcome(call, sample)


def test_exceptions_propagate():
    def boom(x):
        raise ValueError(f"bad {x}")
    cf = make(boom)
    with pytest.raises(ValueError, match="bad 3") as e:
        cf(3)
    names = []
    tb = e.value.__traceback__
    while tb is not None:
        names.append(tb.tb_frame.f_code.co_name)
        tb = tb.tb_next
    assert names[-1] == "boom"


# --- attributes -------------------------------------------------------------------

def test_function_attributes():
    cf = make(sample)
    assert cf.__name__ == "sample"
    assert cf.__qualname__ == "sample"
    assert cf.__doc__ == "The docstring."
    assert cf.__module__ == sample.__module__
    assert cf.__wrapped__ is sample
    assert cf.__defaults__ is sample.__defaults__
    assert cf.__kwdefaults__ is sample.__kwdefaults__
    assert cf.__code__ is sample.__code__
    assert cf.__globals__ is sample.__globals__
    assert cf.__closure__ is None
    assert cf.__builtins__ is sample.__builtins__
    assert cf.__annotations__ == sample.__annotations__
    assert cf.__dict__ == {"tag": "tagged"}
    assert cf.tag == "tagged"
    assert callable(cf)
    assert inspect.isroutine(cf)


def test_closure_and_annotations():
    y = 5

    def inner(a: int, *, b: "str" = "x") -> list:
        return a + y
    cf = make(inner)
    assert cf.__closure__ is inner.__closure__
    assert cf.__closure__[0].cell_contents == 5
    assert cf.__annotations__ is inner.__annotations__
    assert cf.__qualname__ == "test_closure_and_annotations.<locals>.inner"
    assert cf(1) == 6


@pytest.mark.skipif(sys.version_info < (3, 12), reason="PEP 695 type parameters")
def test_type_params():
    ns = {}
    exec("def g[T](x: T) -> T:\n    return x\n", ns)
    cf = make(ns["g"])
    assert cf.__type_params__ == ns["g"].__type_params__
    assert len(cf.__type_params__) == 1
    assert type(cf).__type_params__ == ()
    assert inspect.signature(cf) == inspect.signature(ns["g"])


def test_signature():
    cf = make(sample)
    assert inspect.signature(cf) == inspect.signature(sample)
    assert str(inspect.signature(cf)) == "(a, b=2, *args, c, d=4, **kwargs)"

    class C:
        m = make(sample)
    assert inspect.signature(C().m) == inspect.signature(types.MethodType(sample, C()))


def test_defaults_are_writable_and_update_original_and_binder():
    def f(a, b=1, *, c=2):
        return (a, b, c)
    cf = make(f)
    binder = fo.get_binder(cf)
    cf.__defaults__ = (10, 20)
    assert f.__defaults__ == (10, 20) and binder.__defaults__ == (10, 20)
    assert cf.__defaults__ == (10, 20)
    assert cf() == (10, 20, 2) == binder()
    cf.__kwdefaults__ = {"c": 30}
    assert f.__kwdefaults__ == {"c": 30} and binder.__kwdefaults__ == {"c": 30}
    assert cf() == (10, 20, 30)
    del cf.__defaults__
    assert cf.__defaults__ is None and f.__defaults__ is None and binder.__defaults__ is None
    cf.__kwdefaults__ = None
    assert f.__kwdefaults__ is None
    # same validation (type and message) as a Python function
    g = make(f).__wrapped__
    for attr, bad in (("__defaults__", 1), ("__kwdefaults__", [1])):
        with pytest.raises(TypeError) as expected:
            setattr(g, attr, bad)
        with pytest.raises(TypeError) as got:
            setattr(cf, attr, bad)
        assert str(got.value) == str(expected.value)
    assert cf.__defaults__ is None                # unchanged by the failed set


def test_name_qualname_doc_module_are_writable():
    def f():
        "doc"
    cf = make(f)
    cf.__name__ = "g"
    cf.__qualname__ = "Outer.g"
    cf.__doc__ = "new doc"
    cf.__module__ = "elsewhere"
    assert (cf.__name__, cf.__qualname__, cf.__doc__, cf.__module__) == (
        "g", "Outer.g", "new doc", "elsewhere")
    # the original follows (as with __defaults__): a fallback or a deopt runs it
    assert (f.__name__, f.__qualname__, f.__doc__) == ("g", "Outer.g", "new doc")
    assert repr(cf).startswith("<jit-compiled function Outer.g at 0x")
    # binding errors follow the new qualname, as they would for a function
    with pytest.raises(TypeError, match=r"^Outer\.g\(\) takes 0 positional arguments but 1 was given$"):
        fo.get_binder(cf)(1)
    for attr in ("__name__", "__qualname__"):
        with pytest.raises(TypeError) as expected:
            setattr(f, attr, 1)
        with pytest.raises(TypeError) as got:
            setattr(cf, attr, 1)
        assert str(got.value) == str(expected.value)
    del cf.__doc__
    assert cf.__doc__ is None


def test_readonly_attributes():
    cf = make(sample)
    for attr in ("__code__", "__globals__", "__closure__", "__builtins__", "__jit_func__",
                 "__jit_state__", "__jit_binder__"):
        with pytest.raises(AttributeError):
            setattr(cf, attr, None)


def test_dict():
    cf = make(sample)
    assert cf.__dict__ is not sample.__dict__           # a copy
    cf.extra = 1
    assert cf.__dict__ == {"tag": "tagged", "extra": 1}
    assert "extra" not in sample.__dict__
    cf.__dict__ = {"x": 2}
    assert cf.x == 2 and not hasattr(cf, "tag")
    with pytest.raises(TypeError):
        cf.__dict__ = 1
    del cf.x
    assert cf.__dict__ == {}
    plain = make(lambda: None)
    assert plain.__dict__ == {}


def test_functools_wraps_and_decorators():
    cf = make(sample)

    @functools.wraps(cf)
    def wrapper(*args, **kwargs):
        return cf(*args, **kwargs)
    assert wrapper.__wrapped__ is cf
    assert wrapper.__name__ == "sample" and wrapper.__doc__ == "The docstring."
    assert wrapper.tag == "tagged"
    assert inspect.signature(wrapper) == inspect.signature(sample)
    assert wrapper(1, c=2) == sample(1, c=2)

    def decorate(fn):
        fn.registered = True
        return fn
    assert decorate(cf).registered is True
    assert functools.lru_cache(make(sample, entry="test_first"))(5) == 5


def test_repr_and_type():
    cf = make(sample)
    assert repr(cf) == f"<jit-compiled function sample at {id(cf):#x}>"
    tp = type(cf)
    assert tp is fo.compiled_function_type() is fo.CompiledFunction
    assert tp.__name__ == "CompiledFunction"
    assert tp.__module__ == "runtime.funcobject"
    assert repr(tp) == "<class 'runtime.funcobject.CompiledFunction'>"
    assert isinstance(tp.__doc__, str)
    flags = tp.__flags__
    assert flags & (1 << 17)          # Py_TPFLAGS_METHOD_DESCRIPTOR
    assert flags & (1 << 11)          # Py_TPFLAGS_HAVE_VECTORCALL
    assert flags & (1 << 14)          # Py_TPFLAGS_HAVE_GC
    with pytest.raises(TypeError):
        tp()
    with pytest.raises(TypeError):
        tp.__call__ = lambda self: None
    with pytest.raises(TypeError):
        class Sub(tp):  # noqa: F841 - not a base type
            pass


def test_api_helpers():
    s = Sentinel()
    cf = fo.make_compiled_function(sample, LIB.address("test_forward"), (LIB, sample, s))
    assert fo.is_compiled_function(cf)
    assert not fo.is_compiled_function(sample)
    assert fo.get_state(cf) == (LIB, sample, s)
    assert cf.__jit_state__ is fo.get_state(cf)
    with pytest.raises(TypeError):
        fo.get_state(sample)
    b = make_binder(sample)
    cf2 = fo.make_compiled_function(sample, LIB.address("test_forward"), (LIB, sample), binder=b)
    assert fo.get_binder(cf2) is b
    with pytest.raises(TypeError):
        fo.make_compiled_function(len, LIB.address("test_forward"), None)
    with pytest.raises(ValueError):
        fo.make_compiled_function(sample, 0, None)


def test_copy_and_pickle_by_reference():
    cf = make(sample)
    assert copy.copy(cf) is cf
    assert copy.deepcopy([cf])[0] is cf
    global picklable
    picklable = make(picklable_original)
    picklable.__name__ = picklable.__qualname__ = "picklable"
    assert pickle.loads(pickle.dumps(picklable)) is picklable
    with pytest.raises(pickle.PicklingError):
        pickle.dumps(cf)            # module.sample is the original, not cf


def picklable_original(x):
    return x


picklable = None


# --- binding on classes -------------------------------------------------------------

def method_target(self, x, y=0):
    return (self, x, y)


def test_binds_like_a_function():
    m = make(method_target)

    class C:
        meth = m
        static = staticmethod(make(method_target))
        klass = classmethod(make(method_target))
        prop = property(make(method_target, entry="test_first"))

    c = C()
    assert c.meth(1) == (c, 1, 0)
    assert c.meth(1, y=2) == (c, 1, 2)
    assert C.meth(c, 1) == (c, 1, 0)
    assert C.meth is m
    bound = c.meth
    assert isinstance(bound, types.MethodType)
    assert bound.__func__ is m and bound.__self__ is c
    assert bound(5) == (c, 5, 0)
    assert c.static("s", 1) == ("s", 1, 0)
    assert C.static("s", 1) == ("s", 1, 0)
    assert c.klass(1) == (C, 1, 0)
    assert C.klass(1) == (C, 1, 0)
    assert c.prop is c
    assert m.__get__(None, C) is m
    assert m.__get__(c).__self__ is c
    # with many arguments and keywords through the method fast path
    assert c.meth(*[1], **{"y": 3}) == (c, 1, 3)


def test_method_errors_match():
    class C:
        m = make(method_target)

    class D:
        m = method_target
    for call in (lambda o: o.m(), lambda o: o.m(1, 2, 3), lambda o: o.m(1, z=1)):
        got, expected = outcome(call, C()), outcome(call, D())
        assert got == expected


# --- lifetime: weakrefs, gc, refcounts ----------------------------------------------

def test_weakref():
    cf = make(sample)
    r = weakref.ref(cf)
    called = []
    weakref.finalize(cf, called.append, 1)
    assert r() is cf
    proxy = weakref.proxy(cf)
    assert proxy(1, c=2) == sample(1, c=2)
    del cf
    assert r() is None and called == [1]
    d = weakref.WeakValueDictionary()
    d["k"] = make(sample)
    gc.collect()
    assert "k" not in d


def test_state_lives_exactly_as_long_as_the_function():
    s = Sentinel()
    cf = fo.make_compiled_function(sample, LIB.address("test_forward"), (LIB, sample, s))
    ws = weakref.ref(s)
    del s
    assert ws() is not None
    del cf
    assert ws() is None


def _collected(build):
    """build() returns a CompiledFunction in a reference cycle; is it freed by gc?"""
    gc.collect()
    gc.disable()
    try:
        cf, s = build()
        w, ws = weakref.ref(cf), weakref.ref(s)
        del cf, s
        assert w() is not None, "not in a cycle: the test is wrong"
        gc.collect()
        return w() is None and ws() is None
    finally:
        gc.enable()


def test_cycle_through_globals_is_collected():
    def build():
        ns = {}
        exec("def f(x):\n    return cf\n", ns)
        s = Sentinel()
        cf = fo.make_compiled_function(ns["f"], LIB.address("test_forward"), (LIB, ns["f"], s))
        ns["cf"] = cf
        return cf, s
    assert _collected(build)


def test_cycle_through_dict_is_collected():
    def build():
        s = Sentinel()
        cf = make(sample, extra=(s,))
        cf.me = cf
        return cf, s
    assert _collected(build)


def test_cycle_through_state_is_collected():
    def build():
        s = Sentinel()
        box = []
        cf = make(sample, extra=(s, box))
        box.append(cf)
        return cf, s
    assert _collected(build)

    def build2():
        s = Sentinel()
        cf = make(sample, extra=(s,))
        s.cf = cf                      # through an instance dict
        return cf, s
    assert _collected(build2)


def test_cycle_through_binder_and_class_is_collected():
    def build():
        s = Sentinel()
        cf = make(method_target, extra=(s,))
        C = type("C", (), {"m": cf})   # C -> cf -> ... ; cf.__dict__ -> C
        cf.owner = C
        fo.get_binder(cf).cf = cf      # binder.__dict__ -> cf
        return cf, s
    assert _collected(build)


def _live_compiled():
    return sum(1 for o in gc.get_objects() if fo.is_compiled_function(o))


def test_no_leak_create_and_drop():
    target = Sentinel()
    for _ in range(100):                       # warm up caches
        make(sample, extra=(target,))
    gc.collect()
    before = (sys.getrefcount(target), sys.getrefcount(LIB), sys.getrefcount(sample),
              _live_compiled())
    tracemalloc.start()
    try:
        m0 = tracemalloc.get_traced_memory()[0]
        for _ in range(10_000):
            cf = make(sample, extra=(target,))
            cf(1, c=2)
            del cf
        m1 = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    gc.collect()
    after = (sys.getrefcount(target), sys.getrefcount(LIB), sys.getrefcount(sample),
             _live_compiled())
    assert after == before
    assert m1 - m0 < 64 * 1024, m1 - m0


def test_no_leak_cycles_collected():
    gc.collect()
    before = _live_compiled()
    gc.disable()
    try:
        refs = []
        for i in range(10_000):
            cf = make(sample)
            cf.me = cf
            if i % 1000 == 0:
                refs.append(weakref.ref(cf))
            del cf
        assert _live_compiled() >= before + 10_000
        gc.collect()
    finally:
        gc.enable()
    assert _live_compiled() == before
    assert all(r() is None for r in refs)


def test_argument_refcounts_unchanged_after_many_calls():
    def target(*args, **kwargs):
        return None

    class C:
        m = make(target)
    cf = make(target)
    o = C()
    x, y, k = object(), [1], "some key not interned " + str(id(o))
    before = [sys.getrefcount(v) for v in (x, y, k, cf, o, target)]
    for _ in range(100_000):
        cf(x, y)
        cf(x, kw=y)
        cf(*(x, y), **{k: x})
        o.m(x, y)
        o.m(x, kw=y)
    after = [sys.getrefcount(v) for v in (x, y, k, cf, o, target)]
    assert after == before

    first = make(sample, entry="test_first")
    before = sys.getrefcount(x)
    for _ in range(100_000):
        first(x)
    assert sys.getrefcount(x) == before


def test_delete_during_call():
    holder = {}
    seen = []
    s = Sentinel()
    ws = weakref.ref(s)

    def target(x):
        w = weakref.ref(holder["cf"])
        del holder["cf"]              # drop the last named reference mid-call
        gc.collect()
        seen.append(w() is not None)  # still alive: the caller holds it
        return x * 2

    holder["cf"] = fo.make_compiled_function(target, LIB.address("test_forward"), (LIB, target, s))
    del s
    assert holder["cf"](21) == 42
    assert seen == [True]
    assert ws() is None and "cf" not in holder


def test_delete_during_method_call():
    s = Sentinel()
    ws = weakref.ref(s)

    def target(self, x):
        del type(self).m
        gc.collect()
        return x

    class C:
        pass
    C.m = fo.make_compiled_function(target, LIB.address("test_forward"), (LIB, target, s))
    del s
    assert C().m(7) == 7
    gc.collect()
    assert ws() is None


def test_cleared_object_raises_instead_of_crashing():
    cf = make(sample)
    keep = fo.get_state(cf)
    clear = ctypes.PYFUNCTYPE(ctypes.c_int, ctypes.py_object)(fo._symbols["jitfo_clear"])
    assert clear(cf) == 0
    with pytest.raises(ReferenceError):
        cf(1, c=2)
    with pytest.raises(AttributeError):
        cf.__name__
    with pytest.raises(AttributeError):
        fo.get_state(cf)
    assert "(cleared)" in repr(cf)
    assert cf.__dict__ == {}
    del cf, keep


def test_many_objects_share_one_type():
    a, b = make(sample), make(method_target)
    assert type(a) is type(b)
    assert a.__name__ != b.__name__


def test_implicit_classmethods_and_staticmethod_as_for_a_plain_function():
    # type.__new__ wraps a plain function named so; a compiled one gets the same
    class A:
        @jit.jit
        def __class_getitem__(cls, item):
            return cls.__name__, item

    class B(A):
        pass

    assert A[int] == ("A", int) and B[str] == ("B", str)
    assert type(A.__dict__["__class_getitem__"]) is classmethod

    made = []

    class Base:
        @jit.jit
        def __init_subclass__(cls, tag=0, **kw):
            super().__init_subclass__(**kw)
            made.append((cls.__name__, tag))

    class Sub(Base, tag=1):
        pass

    assert made == [("Sub", 1)]

    def new(cls, *args):
        obj = object.__new__(cls)
        obj.args = args
        return obj

    class N:
        __new__ = jit.compile(new)

    assert N(1, 2).args == (1, 2) and type(N.__dict__["__new__"]) is staticmethod

    class Other:                      # any other name stays as it is
        method = jit.compile(new)

    assert type(Other.__dict__["method"]) is not staticmethod


def test_functools_wraps_over_a_compiled_function():
    import functools

    def target(a, b):
        """target's doc"""
        return a - b

    def inner(*args):
        return sum(args)
    compiled = jit.compile(inner)
    assert compiled.__wrapped__ is inner          # unset: the original function
    wrapped = functools.wraps(target)(compiled)   # (its __wrapped__ was read-only)
    assert wrapped is compiled and compiled.__wrapped__ is target
    assert compiled.__name__ == "target" and compiled.__doc__ == "target's doc"
    assert str(inspect.signature(compiled)) == "(a, b)" and compiled(1, 2, 3) == 6
    del compiled.__wrapped__
    assert compiled.__wrapped__ is inner
    with pytest.raises(AttributeError):
        del compiled.__wrapped__

    def logged(fn):
        @functools.wraps(fn)
        def call(*args):
            return fn(*args)
        return call
    add = logged(lambda a, b: a + b)
    assert jit.compile(add).__wrapped__ is add.__wrapped__   # as the decorated function's

    @functools.wraps(target)
    @jit.jit
    def decorated(a, b):
        return a * b
    assert decorated(2, 3) == 6 and decorated.__wrapped__ is target
