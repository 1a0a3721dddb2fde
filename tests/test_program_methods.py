"""Methods, __init__ and global functions of the program's that compiled code calls
through a call site's cache (lower._program_target, helpers.program_callee): they
run as compiled copies while the function is the one cached, with the code,
defaults and names its copy was made from; anything else is an ordinary call.
Each case runs against the interpreter."""
import gc
import sys
import weakref

import pytest

import jit
from jit import specialize


def _outcome(f, *args):
    try:
        return ("ok", f(*args))
    except Exception as exc:    # noqa: BLE001  (compared with the interpreter's)
        return ("raise", type(exc), str(exc))


def _same(f, *args):
    want = _outcome(f, *args)
    got = _outcome(jit.compile(f), *args)
    assert got == want
    return got


def _copy_of(fn):
    shape, ref = specialize._PROGRAM_FUNCTIONS.get(fn, (None, None))
    return ref() if ref is not None else None


class Acc:
    def __init__(self, start, step=1):
        self.total = start
        self.step = step

    def add(self, k):
        for i in range(k):
            self.total += i * self.step
        return self.total

    def scaled(self, k, by=2):
        return self.total * by + k


def drive(n):
    a = Acc(0)
    s = 0
    for i in range(n):
        s += a.add(10) + a.scaled(i) + a.scaled(i, by=3)
    return s


def test_methods_and_init_run_compiled():
    _same(drive, 50)
    for fn in (Acc.add, Acc.scaled, Acc.__init__):
        copy = _copy_of(fn)
        assert copy is not None, fn.__qualname__
        # (__init__ only stores its ints: its generic code serves them, see
        # specialize._only_reboxed)
        want = "generic code (nothing to unbox)" if fn is Acc.__init__ else "specialised"
        assert want in jit.explain(copy)


class Shape:
    def __init__(self, k):
        self.k = k


def _shape_classes(n):
    made = []
    for j in range(n):
        ns = {}
        exec(f"def area(self):\n    return self.k * {j + 1}\n", globals(), ns)
        made.append(type(f"S{j}", (Shape,), {"area": ns["area"]}))
    return made


SHAPES = _shape_classes(7)


def poly(n):
    objs = [cls(i) for i, cls in enumerate(SHAPES)]
    total = 0
    for r in range(n):
        for o in objs:
            total += o.area()
    return total


def test_polymorphic_site_more_classes_than_entries():
    _same(poly, 30)
    fast = jit.compile(poly)
    assert [fast(k) for k in range(5)] == [poly(k) for k in range(5)]


class Mutable:
    def m(self, x, y=10):
        return x + y


def call_m(o, x):
    return o.m(x)


def test_code_defaults_and_names_changes_are_seen():
    fast = jit.compile(call_m)
    o = Mutable()
    assert fast(o, 1) == 11
    Mutable.m.__defaults__ = (100,)
    assert fast(o, 1) == 101
    old_code = Mutable.m.__code__
    Mutable.m.__code__ = (lambda self, x, y=10: x * y).__code__
    try:
        assert fast(o, 2) == 200
    finally:
        Mutable.m.__code__ = old_code
    assert fast(o, 2) == 102
    Mutable.m.__defaults__ = None
    Mutable.m.__qualname__ = "Renamed.m"
    want = _outcome(call_m, o, 1)
    assert want[0] == "raise" and "Renamed.m()" in want[2]
    assert _outcome(fast, o, 1) == want
    Mutable.m.__qualname__ = "Mutable.m"
    Mutable.m.__defaults__ = (10,)


def test_method_replaced_on_class_and_shadowed_on_instance():
    class K:
        def m(self, x):
            return x + 1

    def use(o, x):
        return o.m(x)

    fast = jit.compile(use)
    o = K()
    assert fast(o, 1) == 2
    K.m = lambda self, x: x * 10
    assert fast(o, 2) == 20
    o.m = lambda x: -x          # (an instance attribute: called without self)
    assert fast(o, 3) == -3
    del o.m
    assert fast(o, 3) == 30


class WithSuper(Exception):
    def __init__(self, value):
        super().__init__(f"value {value}")
        self.value = value


class BadInit:
    def __init__(self):
        return 5


def make_errors(n):
    out = []
    for i in range(n):
        out.append(str(WithSuper(i)))
    try:
        BadInit()
    except TypeError as exc:
        out.append(str(exc))
    return out


def test_init_with_super_and_bad_init_result():
    got = _same(make_errors, 5)
    assert got[1][-1] == "__init__() should return None, not 'int'"


class Gen:
    def items(self, n):
        for i in range(n):
            yield i * i

    def frame_name(self):
        return sys._getframe().f_code.co_name

    def fails(self, x):
        return 10 // x


def use_gen(n):
    g = Gen()
    return sum(g.items(n)), g.frame_name()


def test_generators_and_frame_readers_stay_interpreted():
    _same(use_gen, 6)
    assert _copy_of(Gen.items) is None
    assert _copy_of(Gen.frame_name) is None


def call_fails(x):
    return Gen().fails(x)


def test_exception_traceback_from_compiled_method():
    fast = jit.compile(call_fails)
    assert fast(5) == 2
    with pytest.raises(ZeroDivisionError) as info:
        fast(0)
    names = [entry.name for entry in info.traceback]
    assert names[-2:] == ["call_fails", "fails"]


class Deep:
    def down(self, n):
        if n == 0:
            return 0
        return 1 + self.down(n - 1)


def go_deep(n):
    return Deep().down(n)


def test_deep_method_recursion():
    assert _same(go_deep, 200) == ("ok", 200)
    got = _outcome(jit.compile(go_deep), 100000)
    assert got[0] == "raise" and got[1] is RecursionError


def apply(f, x):
    return f(x)


def test_function_passed_in_is_not_kept():
    fast = jit.compile(apply)

    def local(y):
        return y + 1

    assert fast(local, 1) == 2
    ref = weakref.ref(local)
    del local
    gc.collect()
    assert ref() is None


class Counter:
    def bump(self, box):
        box[0] += 1
        return box[0]


def bump_many(c, box, n):
    for _ in range(n):
        c.bump(box)
    return box[0]


def test_repeated_calls_leak_nothing():
    fast = jit.compile(bump_many)
    c, box = Counter(), [0]
    fast(c, box, 10)
    before = (sys.getrefcount(c), sys.getrefcount(box), sys.getrefcount(Counter.bump))
    for _ in range(50):
        fast(c, box, 10)
    assert (sys.getrefcount(c), sys.getrefcount(box), sys.getrefcount(Counter.bump)) == before
    assert box[0] == 510


class Reentrant:
    def m(self, x=None):
        return 1


_FINALISED_CALLS = []


class Finalised:
    """A default whose finaliser calls the site again when the site's cache drops
    the entry made from the old defaults."""
    site = None

    def __del__(self, calls=_FINALISED_CALLS):
        site_ = type(self).site
        if site_ is not None:
            calls.append(site_(Reentrant()))


def site(o):
    return o.m()


def test_refill_whose_old_entry_finaliser_reenters_the_site():
    fast = Finalised.site = jit.compile(site)
    try:
        for _ in range(6):
            Reentrant.m.__defaults__ = (Finalised(),)    # the old one is held by the entry
            assert fast(Reentrant()) == 1
        Reentrant.m.__defaults__ = (None,)
        assert fast(Reentrant()) == 1
        gc.collect()
        assert _FINALISED_CALLS and all(c == 1 for c in _FINALISED_CALLS)
    finally:
        Finalised.site = None
        Reentrant.m.__defaults__ = (None,)
        del fast
        gc.collect()


def _make_local_class():
    class Local:
        def m(self):
            return 1
    return Local


def call_local(n):
    total = 0
    for _ in range(n):
        cls = _make_local_class()
        total += cls().m()
    return total


def test_classes_made_by_calls_are_not_kept_alive():
    fast = jit.compile(call_local)
    assert fast(3) == 3
    gc.collect()
    before = sum(1 for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "Local")
    for _ in range(10):
        fast(5)
    gc.collect()
    after = sum(1 for o in gc.get_objects() if isinstance(o, type) and o.__name__ == "Local")
    assert after <= before == 0


class Swapped:
    def m(self):
        return "old"


def _new_m(self):
    return "new"


def call_swapped(o):
    return o.m()


def test_code_changed_while_the_copy_compiles_is_seen(monkeypatch):
    import jit.api
    real = jit.api.compile

    def compile_and_swap(fn, *args, **kwargs):
        made = real(fn, *args, **kwargs)
        if fn is Swapped.__dict__["m"]:
            fn.__code__ = _new_m.__code__      # (as a __del__ or a thread could, meanwhile)
        return made

    monkeypatch.setattr(jit.api, "compile", compile_and_swap)
    old_code = Swapped.m.__code__
    try:
        fast = jit.compile(call_swapped)
        assert fast(Swapped()) == "new"
        assert fast(Swapped()) == "new"
    finally:
        Swapped.m.__code__ = old_code


def who_called():
    return sys._getframe(1).f_code.co_name


class Reporter:
    def report(self):
        return who_called()


def call_report():
    return Reporter().report()


def test_a_method_calling_a_frame_reading_helper_stays_interpreted():
    assert call_report() == "report"
    assert jit.compile(call_report)() == "report"
    assert _copy_of(Reporter.report) is None


class Svc:
    def handle(self, logger):
        logger.info("handling")
        return 1


def call_handle(logger):
    return Svc().handle(logger)


def test_a_method_that_logs_stays_interpreted():
    import logging
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append((record.funcName, record.lineno))

    logger = logging.getLogger("jit-test-program-methods")
    logger.addHandler(Keep())
    logger.setLevel(logging.INFO)
    logger.propagate = False
    call_handle(logger)
    jit.compile(call_handle)(logger)
    assert records[0] == records[1] and records[0][0] == "handle"
    assert _copy_of(Svc.handle) is None


def _user_failure(*args, **kwargs):
    raise LookupError("the program's, raised while compiling")


class Plain:
    def value(self, k):
        return k + 1


def call_plain(k):
    return Plain().value(k)


def test_the_programs_exception_while_compiling_is_not_an_internal_error(monkeypatch):
    # (a signal handler's or a finaliser's: raised by the program's code, which runs
    # while the compiler does)
    from jit import pipeline
    monkeypatch.delenv("JIT_STRICT", raising=False)
    monkeypatch.setattr(pipeline, "compile_specialized", _user_failure)
    with pytest.raises(LookupError):
        jit.compile(call_plain)(3)


_REBIND_LOG = []


class Rebound:
    def __init__(self, a):
        _REBIND_LOG.append(("old", a))


def _new_init(self, a):
    _REBIND_LOG.append(("new", a))


class _RebindsInit:
    def __init__(self):
        self.me = self          # cyclic garbage with a finaliser

    def __del__(self):
        Rebound.__init__ = _new_init


def make_rebound(a):
    return Rebound(a)


def test_a_finaliser_rebinding_init_while_the_site_fills():
    # (the filler is Python code: a collection it triggers runs the finaliser, which
    # drops the class's last reference to the __init__ being filled in)
    import types
    old = Rebound.__dict__["__init__"]
    Rebound.__init__ = types.FunctionType(old.__code__, old.__globals__, "__init__")
    fast = jit.compile(make_rebound)
    _REBIND_LOG.clear()
    try:
        gc.collect()
        gc.disable()
        _RebindsInit()
        gc.enable()
        gc.set_threshold(1)
        try:
            fast(1)
        finally:
            gc.set_threshold(700)
        gc.collect()
        fast(2)
        assert _REBIND_LOG[-1] == ("new", 2)
        assert _REBIND_LOG[0] in (("old", 1), ("new", 1))
    finally:
        Rebound.__init__ = old
