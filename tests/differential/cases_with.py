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
