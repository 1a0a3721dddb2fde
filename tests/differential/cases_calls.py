"""Every call form, argument errors, and calling the compiled function itself."""
from .harness import case, C


def target(a, b=2, *args, c, d=4, **kw):
    return (a, b, args, c, d, kw)


def simple(a, b):
    return (a, b)


def posonly(a, b, /, c, *, d):
    return (a, b, c, d)


def kwonly(*, x, y=0):
    return (x, y)


class K:
    def __init__(self, v):
        self.v = v

    def m(self, a, b=1):
        return (self.v, a, b)

    def __call__(self, *a, **k):
        return ("called", a, k)


@case(())
def call_forms():
    args = (1, 2, 3)
    kw = {"c": 5, "e": 6}
    return [
        target(1, c=3),
        target(1, 2, 3, 4, c=5),
        target(*args, **kw),
        target(0, *args, c=1, **{"z": 2}),
        target(*[1], *(2, 3), c=0, **{"d": 1}, **{"f": 2}),
        target(a=1, c=2),
        target(1, b=3, c=2, x=9),
        simple(*"ab"),
        simple(**{"b": 1, "a": 2}),
        simple(1, *[2]),
        posonly(1, 2, 3, d=4),
        posonly(1, 2, c=3, d=4),
        kwonly(x=1),
        kwonly(**{"x": 1, "y": 2}),
        K(1).m(2),
        K(1).m(a=2, b=3),
        K.m(K(0), 5),
        K(9)(1, 2, k=3),
        K(9)(*(), **{}),
        (lambda *a, **k: (a, k))(1, *[2], x=3, **{"y": 4}),
        dict(a=1, **{"b": 2}),
        sorted([3, 1, 2], key=lambda x: -x, reverse=False),
        max(1, 5, 3, key=lambda x: x % 3),
        int("ff", 16),
        int("ff", base=16),
        print("printed", end=""),
    ]


def _err(f, *a, **k):
    try:
        return f(*a, **k)
    except TypeError as e:
        return "TypeError: " + str(e)


@case(())
def call_errors():
    out = []
    try:
        simple(1)
    except TypeError as e:
        out.append(str(e))
    try:
        simple(1, 2, 3)
    except TypeError as e:
        out.append(str(e))
    try:
        simple(1, 2, c=3)
    except TypeError as e:
        out.append(str(e))
    try:
        simple(1, a=1)
    except TypeError as e:
        out.append(str(e))
    try:
        target(1)
    except TypeError as e:
        out.append(str(e))
    try:
        posonly(a=1, b=2, c=3, d=4)
    except TypeError as e:
        out.append(str(e))
    try:
        posonly(1, 2, 3, 4)
    except TypeError as e:
        out.append(str(e))
    try:
        kwonly(1)
    except TypeError as e:
        out.append(str(e))
    try:
        kwonly()
    except TypeError as e:
        out.append(str(e))
    try:
        simple(*1)
    except TypeError as e:
        out.append(str(e))
    try:
        simple(**1)
    except TypeError as e:
        out.append(str(e))
    try:
        simple(**{1: 2})
    except TypeError as e:
        out.append(str(e))
    try:
        target(1, c=1, **{"c": 2})
    except TypeError as e:
        out.append(str(e))
    try:
        target(1, **{"c": 1}, **{"c": 2})
    except TypeError as e:
        out.append(str(e))
    try:
        five = 5
        five()
    except TypeError as e:
        out.append(str(e))
    try:
        nothing = None
        nothing(1, x=2)
    except TypeError as e:
        out.append(str(e))
    try:
        len()
    except TypeError as e:
        out.append(str(e))
    try:
        len(1, 2)
    except TypeError as e:
        out.append(str(e))
    try:
        len(obj=1)
    except TypeError as e:
        out.append(str(e))
    try:
        K()
    except TypeError as e:
        out.append(str(e))
    try:
        K(1).m()
    except TypeError as e:
        out.append(str(e))
    try:
        "abc".split(1)
    except TypeError as e:
        out.append(str(e))
    return out


@case((simple, (1,), {}), (simple, (1, 2), {"b": 3}), (target, (), {"c": 1}), (kwonly, (1,), {}),
      (posonly, (1,), {"b": 2, "c": 3, "d": 4}), (len, ("x",), {}), (len, ([1],), {"x": 1}),
      (K(0).m, (), {"a": 5}), (print, ("a", "b"), {"sep": "-"}), (1, (), {}))
def call_dynamic(f, a, k):
    return f(*a, **k)


class Mapping:
    def keys(self):
        return ["p", "q"]

    def __getitem__(self, k):
        return k * 2


class BadIter:
    def __iter__(self):
        raise RuntimeError("iter exploded")


@case(())
def star_star_protocols():
    def f(**kw):
        return kw
    def g(*a):
        return a
    out = [f(**Mapping()), g(*"xyz"), g(*range(3), *{7: 1}), g(*iter([1, 2]))]
    try:
        g(*BadIter())
    except RuntimeError as e:
        out.append(str(e))
    return out


# calling the compiled function itself with keywords / defaults / varargs ----

@case((1,), (1, 2), (1, 2, 3, 4), C(1, c=9), C(a=1, b=2), C(1, 2, 3, c=4, d=5, e=6), C(),
      C(1, a=2), C(1, zz=3), C(*range(6)), C(1, 2, **{"c": 3}))
def sig_full(a, b=2, *args, c=3, d=4, **kw):
    return a, b, args, c, d, kw


@case((1, 2), C(1, b=2), C(a=1, b=2), (1,), (1, 2, 3), C(b=1), C(1, 2, a=3))
def sig_plain(a, b):
    return a - b


@case((1, 2), C(1, 2, c=3), C(1, b=2), C(a=1, b=2))
def sig_posonly(a, b=5, /, c=6):
    return a, b, c


@case(C(x=1), C(x=1, y=2), (), (1,), C(x=1, z=3))
def sig_kwonly(*, x, y=[]):
    y = y + [x]
    return y


@case((), (1,), (1, 2, 3), C(k=1))
def sig_varargs(*args):
    return args, len(args), type(args)


@case((), C(a=1, b=2), C(**{"x y": 1}), (1,))
def sig_varkw(**kw):
    return kw, type(kw)


MUTABLE_DEFAULT_LOG = []


@case((1,), (2,), (), C(5, []), resets=MUTABLE_DEFAULT_LOG.clear)
def sig_mutable_default(x=0, acc=MUTABLE_DEFAULT_LOG):
    acc.append(x)
    acc.append(len(MUTABLE_DEFAULT_LOG))
    return list(acc), acc is MUTABLE_DEFAULT_LOG


@case((3,), C(n=4), C(3, step=2))
def sig_defaults_expressions(n, step=len("ab"), label=f"{1 + 1}"):
    return list(range(0, n * step, step)), label


@case(())
def nested_calls_and_evaluation_order():
    log = []

    def t(v):
        log.append(v)
        return v

    def f(*a, **k):
        return a, k
    r = f(t(1), t(2), *[t(3)], x=t(4), **{"y": t(5)})
    return r, log


@case(())
def builtin_kw_calls():
    return (sorted("bca", reverse=True), "a,b".split(sep=","), int(x="7") if False else int("7"),
            round(number=2.567, ndigits=2), dict.fromkeys("ab", 0), list(enumerate("ab", start=1)),
            "x".center(5, "*"), str(b"ab", encoding="ascii"), max([], default="empty"),
            min(3, 4, key=None))


@case(())
def method_call_kinds():
    class A:
        def inst(self, x=1):
            return ("inst", x)

        @classmethod
        def cls(cls, x=2):
            return ("cls", cls.__name__, x)

        @staticmethod
        def st(x=3):
            return ("st", x)
    a = A()
    return (a.inst(), a.inst(x=5), A.inst(a), a.cls(), A.cls(x=0), a.st(), A.st(9),
            getattr(a, "inst")(7), A.__dict__["st"].__func__(8))


@case(([1, 2, 3],))
def call_with_many_args(xs):
    def f(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, q, r, s, t):
        return a + t
    return f(*range(20)), f(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20)


@case(())
def lambda_calls():
    add = lambda a, b=1, *c, d=2, **e: (a, b, c, d, e)  # noqa: E731
    return add(1), add(1, 2, 3, d=4, z=5), (lambda: "x")(), (lambda *, k: k)(k=1)


@case(())
def callable_objects():
    class Adder:
        def __init__(self, n):
            self.n = n

        def __call__(self, x):
            return x + self.n
    a = Adder(3)
    return a(1), list(map(a, [1, 2])), callable(a), callable(Adder)


def _keywords(**k):
    return k


class _NamedCallable:
    def __call__(self, *a, **k):
        return a, k

    def __repr__(self):
        return "NamedCallable!"


@case((0,), (1,), (2,), (3,))
def call_error_describes_callee(which):
    # the callee as _PyObject_FunctionStr names it: module.qualname(), or str(obj)
    import functools
    if which == 0:
        return _NamedCallable()(**5)
    if which == 1:
        return _NamedCallable()(*5)
    if which == 2:
        return functools.partial(_keywords)(a=1, **{"a": 2})
    return len(**{1: 2}, **{1: 3})


def _va(*a, **k):
    return a, k


class _TupleArgs(tuple):
    pass


class _OwnIterArgs(list):
    def __iter__(self):          # a list subclass's own __iter__: f(*x) calls it
        return iter(["own"])


class _IndexOnly:
    def __getitem__(self, i):    # no __iter__: iterated by index
        if i < 2:
            return i
        raise IndexError(i)


class _NoIter:
    __iter__ = None


_ARGS_KINDS = ("tuple", "empty", "list", "gen", "str", "range", "dict", "set", "tuple_sub",
               "own_iter", "index_only", "int", "none", "no_iter")


def _args_source(kind):
    return {"tuple": lambda: (3, 1, 2), "empty": tuple, "list": lambda: [3, 1, 2],
            "gen": lambda: (i for i in (3, 1, 2)), "str": lambda: "bca", "range": lambda: range(3),
            "dict": lambda: {"p": 1, "q": 2}, "set": lambda: {5},
            "tuple_sub": lambda: _TupleArgs((1, 2)),
            "own_iter": lambda: _OwnIterArgs([1, 2]), "index_only": _IndexOnly, "int": lambda: 5,
            "none": lambda: None, "no_iter": _NoIter}[kind]()


@case(*[(kind,) for kind in _ARGS_KINDS])
def call_star_args_kinds(kind):
    # f(*x): an exact tuple as it is, an iterable made a tuple, else the protocol's error
    out = []
    for i in range(6):
        x = _args_source(kind)
        try:
            if i == 0:
                out.append(_va(*x))
            elif i == 1:
                out.append(_va(*x, **{"k": 1}))
            elif i == 2:
                out.append(max(*x))
            elif i == 3:
                out.append(list(zip(*x)))
            elif i == 4:
                out.append(print(*x, sep="|"))
            else:
                out.append(_va(0, *x))
        except (TypeError, ValueError) as e:
            out.append(type(e).__name__ + ": " + str(e))
    return out


class _DictOwnIter(dict):
    def __iter__(self):          # its own __iter__: ** asks keys() and [key]
        return iter(["x"])

    def keys(self):
        return ["x", "y"]

    def __getitem__(self, k):
        return k * 3


class _DictOwnKeys(dict):
    def keys(self):              # ignored: a dict's own __iter__ means its items are taken
        return ["zz"]

    def __getitem__(self, k):
        return "never"


class _DictMissingKey(dict):
    def __iter__(self):
        return iter([])

    def keys(self):              # dict.__getitem__ fails for it: the interpreter reports
        return ["nope"]          # that KeyError as a keyword given twice


class _KwMapping:
    def keys(self):
        return ("m", "n")

    def __getitem__(self, k):
        return k.upper()


class _KeysRaise:
    def __init__(self, exc):
        self.exc = exc

    def keys(self):
        raise self.exc

    def __getitem__(self, k):
        return 1


class _GetitemKeyError:
    def keys(self):
        return ["a"]

    def __getitem__(self, k):
        raise KeyError(k)


_KW_KINDS = ("dict", "empty", "y", "int_key", "own_iter", "own_keys", "missing_key", "mapping",
             "list", "int", "none", "keys_attribute_error", "keys_key_error", "getitem_key_error")


def _kw_source(kind):
    return {"dict": lambda: {"x": 1, "z": 2}, "empty": dict, "y": lambda: {"y": 9},
            "int_key": lambda: {1: 2}, "own_iter": lambda: _DictOwnIter(a=1),
            "own_keys": lambda: _DictOwnKeys(a=1), "missing_key": _DictMissingKey,
            "mapping": _KwMapping, "list": lambda: [("a", 1)], "int": lambda: 5,
            "none": lambda: None, "keys_attribute_error": lambda: _KeysRaise(AttributeError("k")),
            "keys_key_error": lambda: _KeysRaise(KeyError("k")),
            "getitem_key_error": _GetitemKeyError}[kind]()


@case(*[(kind,) for kind in _KW_KINDS])
def call_star_star_kinds(kind):
    # f(**m) merges m into a new dict as the interpreter does (_PyDict_MergeEx), with
    # its errors as format_kwargs_error words them
    out = []
    for i in range(6):
        m = _kw_source(kind)
        try:
            if i == 0:
                out.append(_va(**m))
            elif i == 1:
                out.append(_va(y=1, **m))
            elif i == 2:
                out.append(_va(*(1,), **m, w=0))
            elif i == 3:
                out.append(_va(**m, **{"x": 5}))
            elif i == 4:
                out.append("{x}".format(**m))
            else:
                out.append(dict(**m))
        except (TypeError, KeyError, AttributeError) as e:
            out.append((type(e).__name__, str(e), e.args, type(e.__context__).__name__))
    return out


@case(())
def call_duplicate_keyword_while_handling():
    # 3.11: a duplicate's KeyError, made while an exception is handled, is let through
    out = []
    try:
        raise ValueError("handled")
    except ValueError:
        for m in ({"y": 2}, _DictOwnIter()):
            try:
                _va(y=1, x=0, **m)
            except (KeyError, TypeError) as e:
                out.append((type(e).__name__, e.args, type(e.__context__).__name__))
    return out


class _EvilKey:
    """Hashes as "y": merging it into keywords holding "y" compares them."""

    def __init__(self, action):
        self.action = action

    def __hash__(self):
        return hash("y")

    def __eq__(self, other):
        if self.action == "raise":
            raise AttributeError("from __eq__")
        if self.action == "mutate":
            self.source.clear()
        return False


@case(("raise",), ("mutate",))
def call_star_star_key_compare(action):
    key = _EvilKey(action)
    m = {key: 1, "z": 2}
    key.source = m
    try:
        return _va(y=1, **m)
    except (TypeError, RuntimeError) as e:
        return type(e).__name__, str(e)


@case(())
def call_star_mutates_sources():
    # the callee gets copies: changing them, or the sources, changes nothing else
    lst, d = [1, 2], {"a": 1}

    def f(*a, **k):
        lst.append(3)
        d["b"] = 2
        k["c"] = 3
        return a, k
    return f(*lst, **d), f(*lst), f(**d), lst, d


@case(([], {}))
def call_star_references(a, b):
    # arguments, the tuple and dict made for the call, and failed calls leak nothing
    t, d = (a, b), {"x": a, "y": b}
    out = None
    for _ in range(3):
        _va(*t)
        _va(**d)
        _va(*[a, b], **d)
        _va(*(v for v in t))
        for i in range(5):
            try:
                if i == 0:
                    _va(x=1, **d)
                elif i == 1:
                    _va(*t, **{"x": a}, **d)
                elif i == 2:
                    _va(*a, **5)
                elif i == 3:
                    _va(**{"x": a}, **_DictOwnIter())
                else:
                    _va(*_NoIter())
            except TypeError:
                pass
        out = _va(*t, **d)
    return out


class _KeysExplode:
    def keys(self):
        raise ValueError("keys exploded")


@case((0,), (1,), (2,), (3,), (4,), (5,))
def star_star_error_tracebacks(which):
    # errors out of a merge keep their traceback (keys() frame included); the ones the
    # interpreter words anew have only this frame's entry
    if which == 0:
        return {**_KeysExplode()}
    if which == 1:
        return _va(**_KeysExplode())
    if which == 2:
        return {**5}
    if which == 3:
        return _va(**5)
    if which == 4:
        return _va(y=1, **{"y": 2})
    return _va(*5)
