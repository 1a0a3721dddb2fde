"""with statements: enter/exit protocol, suppression, errors in enter/exit, nesting."""
import contextlib

from .harness import case


class CM:
    def __init__(self, name, suppress=False, fail_enter=False, fail_exit=False, log=None):
        self.name = name
        self.suppress = suppress
        self.fail_enter = fail_enter
        self.fail_exit = fail_exit
        self.log = log if log is not None else []

    def __enter__(self):
        self.log.append(("enter", self.name))
        if self.fail_enter:
            raise RuntimeError(f"enter of {self.name} failed")
        return self.name.upper()

    def __exit__(self, et, ev, tb):
        self.log.append(("exit", self.name, et.__name__ if et else None, str(ev) if ev else None,
                         tb is not None))
        if self.fail_exit:
            raise LookupError(f"exit of {self.name} failed")
        return self.suppress


@case((0,), (1,))
def with_basic(x):
    cm = CM("a")
    with cm as v:
        cm.log.append(("body", v))
        if x:
            raise ValueError("in body")
    return cm.log


@case((0,), (1,))
def with_suppress(x):
    cm = CM("s", suppress=True)
    with cm:
        cm.log.append("body")
        if x:
            raise ValueError("suppressed")
        cm.log.append("end of body")
    cm.log.append("after")
    return cm.log


@case(())
def with_enter_fails():
    log = []
    with CM("e", fail_enter=True, log=log):
        log.append("never")
    return log


@case((0,), (1,))
def with_exit_fails(x):
    log = []
    try:
        with CM("x", fail_exit=True, log=log):
            if x:
                raise ValueError("body error")
    except LookupError as e:
        return log, str(e), repr(e.__context__)


@case(())
def with_multiple_items():
    log = []
    with CM("a", log=log) as a, CM("b", log=log) as b:
        log.append(("body", a, b))
    return log


@case(())
def with_multiple_items_inner_enter_fails():
    log = []
    try:
        with CM("a", log=log), CM("b", fail_enter=True, log=log):
            log.append("never")
    except RuntimeError as e:
        log.append(str(e))
    return log


@case(())
def with_nested_suppression():
    log = []
    with CM("outer", log=log):
        with CM("inner", suppress=True, log=log):
            raise KeyError("k")
        log.append("after inner")
    return log


@case((0,), (1,), (2,))
def with_return_break_continue(x):
    log = []

    def f():
        with CM("r", log=log):
            if x == 0:
                return "returned"
            log.append("body done")
        return "fell through"
    r = f()
    for i in range(3):
        with CM(f"loop{i}", log=log):
            if i == x:
                continue
            if i == 2:
                break
            log.append(i)
    return r, log


@case((0,), (1,))
def with_in_try_finally(x):
    log = []
    try:
        with CM("t", log=log):
            if x:
                raise ValueError("v")
    except ValueError:
        log.append("caught")
    finally:
        log.append("finally")
    return log


class NoProtocol:
    pass


class OnlyEnter:
    def __enter__(self):
        return self


@case((NoProtocol(),), (OnlyEnter(),), (5,))
def with_missing_protocol(obj):
    with obj:
        return "entered"


@case((0,), (1,))
def with_contextlib(x):
    log = []

    @contextlib.contextmanager
    def managed(tag):
        log.append(("setup", tag))
        try:
            yield tag * 2
        except ValueError as e:
            log.append(("caught in cm", str(e)))
        finally:
            log.append(("teardown", tag))
    with managed("m") as v:
        log.append(v)
        if x:
            raise ValueError("to cm")
    with contextlib.suppress(KeyError):
        {}["missing"]
    return log


@case(())
def with_exit_receives_exact_exception():
    seen = []

    class Inspect:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            seen.append((exc[0], type(exc[1]).__name__ if exc[1] else None, exc[1] is not None and exc[1].args))
            return True
    err = KeyError("specific")
    with Inspect():
        raise err
    with Inspect():
        pass
    return [(t.__name__ if t else None, n, a) for t, n, a in seen]


@case(())
def with_exit_truthiness():
    class Truthy:
        def __init__(self, r):
            self.r = r

        def __enter__(self):
            return None

        def __exit__(self, *a):
            return self.r
    out = []
    for r in (1, "", [0], None, 0.0):
        try:
            with Truthy(r):
                raise ValueError(repr(r))
            out.append(("suppressed", r))
        except ValueError as e:
            out.append(("raised", str(e)))
    return out


@case(())
def with_exit_error_chains():
    log = []
    try:
        with CM("c", fail_exit=True, log=log):
            raise KeyError("from body")
    except LookupError as e:
        return type(e).__name__, str(e), type(e.__context__).__name__, str(e.__context__)


@case(())
def with_traceback_line():
    with CM("tb"):
        x = 1
        raise ValueError("line matters")


@case(())
def with_open_file_like():
    import io
    buf = io.StringIO()
    with buf as f:
        f.write("hello")
        value = f.getvalue()
    return value, buf.closed


@case(())
def with_target_unpacking_and_attribute():
    class Pair:
        def __enter__(self):
            return (1, [2, 3])

        def __exit__(self, *a):
            return False

    class Box:
        pass
    b = Box()
    with Pair() as (x, [y, z]):
        pass
    with Pair() as b.attr:
        pass
    return x, y, z, b.attr


class _StaticCM:
    @staticmethod
    def __enter__():
        return "static enter"

    @staticmethod
    def __exit__(*exc):
        return False


class _ClassCM:
    @classmethod
    def __enter__(cls):
        return cls.__name__

    @classmethod
    def __exit__(cls, *exc):
        return True


class _MetaCM(type):
    def __enter__(cls):
        return "meta enter"

    def __exit__(cls, *exc):
        return False


class _UsesMeta(metaclass=_MetaCM):
    pass


class _Descr:
    def __get__(self, obj, owner):
        return lambda *a: (type(obj).__name__, owner.__name__, len(a))


class _DescrCM:
    __enter__ = _Descr()
    __exit__ = _Descr()


@case((0,), (1,), (2,), (3,))
def with_special_method_lookup(which):
    # __enter__/__exit__ are special methods: found on the type's MRO (never the
    # metaclass), bound through their own type's __get__ with the instance
    mgr = [_StaticCM(), _ClassCM(), _UsesMeta(), _DescrCM()][which]
    with mgr as got:
        if which == 1:
            raise KeyError("suppressed by the classmethod __exit__")
    return got


@case((b"x",), (3,))
def with_not_a_manager_names_the_type(obj):
    import decimal
    with (decimal.Decimal(1) if obj == 3 else obj):
        return "never"


# ---- BEFORE_WITH natively: special lookup, ownership, C managers --------------

class _InstanceOnly:
    """__enter__/__exit__ only as instance attributes: not special methods."""

    def __init__(self):
        self.__enter__ = lambda: "instance enter"
        self.__exit__ = lambda *a: True


class _InstanceShadows(CM):
    """Instance attributes shadow nothing: the class's methods run."""

    def __init__(self):
        super().__init__("shadowed")
        self.__enter__ = lambda: "instance enter"
        self.__exit__ = lambda *a: True


@case((_InstanceOnly(),), (_InstanceShadows(),), (OnlyEnter(),))
def with_instance_attributes_not_special(mgr):
    # the manager is an argument: its reference count after the call is compared
    got = None
    try:
        with mgr as got:
            raise KeyError("not suppressed by an instance's __exit__")
    except (KeyError, TypeError) as e:
        return type(e).__name__, str(e), got, mgr


class _RaisingGet:
    def __init__(self, what):
        self.what = what

    def __get__(self, obj, owner):
        if obj.fail == self.what:
            raise AttributeError(f"__get__ of {self.what} failed")
        return lambda *a, _holds=obj: (self.what, len(a))


class _GetFails:
    __enter__ = _RaisingGet("enter")
    __exit__ = _RaisingGet("exit")

    def __init__(self, fail):
        self.fail = fail


@case((_GetFails("enter"),), (_GetFails("exit"),), (_GetFails(None),))
def with_special_get_raises(mgr):
    # an error from the descriptor stands (no TypeError); __enter__ found before a
    # failing __exit__ is released (it holds the manager)
    try:
        with mgr as got:
            return "body", got, mgr
    except AttributeError as e:
        return str(e), mgr


@case((0,), (1,), (2,))
def with_manager_released_before_enter(x):
    # the interpreter releases the manager once __exit__ replaces it on the stack,
    # before __enter__ runs: a temporary whose methods don't hold it dies there
    log = []

    class Temp:
        @staticmethod
        def __enter__():
            log.append("enter")
            if x == 2:
                raise ValueError("enter failed")
            return "entered"

        @staticmethod
        def __exit__(*exc):
            log.append(("exit", exc[0] is not None))
            return x == 1

        def __del__(self):
            log.append("del")
    try:
        with Temp() as v:
            log.append(v)
            if x:
                raise KeyError("body")
    except ValueError as e:
        log.append(str(e))
    return log


class _Payload:
    def __init__(self):
        self.items = []
        self.log = []

    def __enter__(self):
        self.log.append("enter")
        return self.items

    def __exit__(self, et, ev, tb):
        self.log.append(("exit", et and et.__name__))
        return et is KeyError


@case((_Payload(), 0), (_Payload(), 1), (_Payload(), 2), (_Payload(), 3), (_Payload(), 4))
def with_paths_keep_references_exact(mgr, x):
    # the manager, its __enter__ result and __exit__ through each way out
    for i in range(3):
        with mgr as items:
            items.append(i)
            if x == 1 and i == 0:
                continue
            if x == 2:
                raise KeyError("suppressed")
            if x == 3 and i == 1:
                break
            if x == 4 and i == 2:
                return items, mgr.log
    try:
        with mgr as items:
            raise IndexError("not suppressed")
    except IndexError:
        pass
    return items, mgr.log


@case((_Payload(), _Payload(), 0), (_Payload(), _Payload(), 1))
def with_two_items_as(a, b, fail):
    with a as x, b as y:
        x.append("a")
        y.append("b")
        if fail:
            raise KeyError("suppressed by b's __exit__")
    with a as x:
        with b as y:
            x.append(len(y))
    return x, y, a.log, b.log


@case(())
def with_c_managers():
    import decimal
    import io
    import threading
    lock, rlock = threading.Lock(), threading.RLock()
    out = []
    with lock as got:
        out.append((got, lock.locked()))
    out.append(lock.locked())
    with rlock, rlock:
        out.append("reentered")
    with io.StringIO("abc") as f:
        out.append(f.read())
    out.append(f.closed)
    try:
        with lock:
            raise KeyError("lock released on the way out")
    except KeyError:
        out.append(lock.locked())
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        out.append(str(decimal.Decimal(1) / 7))
    out.append(str(decimal.Decimal(1) / 7))
    return out


@case((0,), (1,), (2,))
def with_contextmanager_paths(x):
    import contextlib
    log = []

    @contextlib.contextmanager
    def cm():
        log.append("setup")
        if x == 2:
            return
        try:
            yield "value"
        except KeyError as e:
            raise ValueError("converted") from e
        log.append("teardown")
    try:
        with cm() as v:
            log.append(v)
            if x:
                raise KeyError("k")
    except (ValueError, RuntimeError) as e:
        log.append((type(e).__name__, str(e), repr(e.__cause__)))
    return log


class _StaticEnterBoundExit:
    @staticmethod
    def __enter__():
        return "static"

    def __exit__(self, *exc):
        return False


@case(())
def with_static_enter_bound_exit():
    # __exit__ holds the manager, so it survives the release before __enter__
    with _StaticEnterBoundExit() as v:
        return v
