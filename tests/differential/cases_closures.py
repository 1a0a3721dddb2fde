"""Closures: cells, free vars, nonlocal, del of cells, class bodies over function
variables (LOAD_CLASSDEREF), nested functions and lambdas with defaults,
kw-defaults and annotations; the compiled function itself being a closure."""
from .harness import case


@case((1,), (5,))
def make_adder(n):
    def add(x):
        return x + n
    return add(10), add.__closure__[0].cell_contents, add.__code__.co_freevars


@case((3,))
def counter_closure(start):
    count = start

    def inc():
        nonlocal count
        count += 1
        return count

    def get():
        return count
    inc()
    inc()
    return get(), count, inc(), count


@case(())
def late_binding():
    fs = []
    for i in range(3):
        fs.append(lambda: i)
    gs = [lambda i=i: i for i in range(3)]
    return [f() for f in fs], [g() for g in gs]


@case((2,))
def three_levels(a):
    b = a * 10

    def mid():
        c = b + 1

        def inner():
            nonlocal c
            c += a
            return a, b, c
        return inner(), c
    return mid()


@case(())
def cell_is_argument():
    def outer(x, *args, y=1, **kw):
        def inner():
            return x, args, y, kw
        x = x + 1
        return inner
    return outer(1, 2, y=3, z=4)()


@case(())
def del_cell_var():
    v = "value"

    def get():
        return v
    a = get()
    del v
    try:
        get()
    except NameError as e:
        b = (type(e).__name__, str(e))
    try:
        v
    except NameError as e:
        c = (type(e).__name__, str(e))
    v = "again"
    return a, b, c, get()


@case((5,))
def class_body_reads_function_var(n):
    label = "lbl"

    class K:
        size = n * 2
        name = label
        items = [label] * 2

        def method(self):
            return n, label
    return K.size, K.name, K.items, K().method()


@case(())
def class_body_classderef_shadowing():
    x = "function x"
    y = "function y"

    class K:
        y = "class y"
        a = x        # LOAD_CLASSDEREF: not in class namespace -> cell
        b = y        # found in class namespace
        x = "class x"
        c = x

        def m(self):
            return x, y  # the function's cells, not the class attrs
    return K.a, K.b, K.c, K().m()


@case(())
def class_body_classderef_unbound():
    class K:
        try:
            v = later
        except NameError as e:
            v = (type(e).__name__, str(e))
    later = 1  # noqa: F841

    def ref():
        return later
    return K.v


@case(())
def nested_function_defaults_and_annotations():
    d = 5

    def f(a: int, b: "str" = "x", *args: float, c: list = None, e=d, **kw: dict) -> tuple:
        return a, b, args, c, e, kw
    g = lambda p, q=d * 2, *, r=3: (p, q, r)  # noqa: E731
    return (f(1), f.__defaults__, f.__kwdefaults__, f.__annotations__, g(0), g.__defaults__,
            g.__kwdefaults__, f.__name__, f.__qualname__, g.__name__, f.__doc__)


@case(())
def defaults_evaluated_once():
    log = []

    def val(x):
        log.append(x)
        return x

    def f(a=val(1), *, b=val(2)):
        return a, b
    f()
    f()
    return log, f(), f(5, b=6)


@case(())
def nested_function_docstring_and_attrs():
    def documented(x):
        """I have a doc."""
        return x
    documented.attr = 1
    return documented.__doc__, documented.attr, documented.__module__, documented.__code__.co_name


@case((3,))
def recursive_closure(n):
    def fact(k):
        return 1 if k <= 1 else k * fact(k - 1)
    return fact(n), fact(10)


@case(())
def closure_over_loop_via_default_and_cell():
    out = []
    for i in range(3):
        def f(j=i):
            return j * 10 + i
        out.append(f)
    return [f() for f in out]


@case(())
def nonlocal_in_loop_and_exception():
    total = 0

    def add(x):
        nonlocal total
        if x < 0:
            raise ValueError(x)
        total += x
    for v in (1, 2, -1, 3):
        try:
            add(v)
        except ValueError as e:
            total -= 100
    return total


@case(())
def lambda_closures():
    x = 3
    f = lambda y: lambda z: x + y + z  # noqa: E731
    return f(1)(2), (lambda: (lambda: x)())()


@case(())
def closure_sees_later_assignment():
    def get():
        return val
    val = 1
    a = get()
    val = 2
    return a, get()


@case(())
def decorators():
    def deco(tag):
        def wrap(f):
            def inner(*a, **k):
                return (tag, f(*a, **k))
            inner.__wrapped__ = f
            return inner
        return wrap

    @deco("outer")
    @deco("inner")
    def target(x, y=2):
        return x * y
    return target(3), target(3, y=3), target.__wrapped__.__name__


@case(())
def generator_in_closure_fallback_ok():
    base = 10

    def gen(n):
        for i in range(n):
            yield base + i
    return list(gen(3)), sum(x for x in gen(2))


# The compiled function itself is a closure (COPY_FREE_VARS, free-var loads). --

def _make_closure_case():
    factor = 3
    log = []

    def closure_fn(x):
        nonlocal factor
        log.append(x)
        factor += 1
        return x * factor, len(log) > 0
    return closure_fn


_closure_fn = _make_closure_case()


def _reset_closure_fn():
    cells = dict(zip(_closure_fn.__code__.co_freevars, _closure_fn.__closure__))
    cells["factor"].cell_contents = 3
    cells["log"].cell_contents.clear()


case((1,), (2,), name="compiled_closure", resets=_reset_closure_fn)(_closure_fn)


def _make_closure_reader():
    items = ["a", "b"]

    def closure_reader(i):
        return items[i], len(items)
    return closure_reader


case((0,), (1,), (2,), name="compiled_closure_reader")(_make_closure_reader())


def _make_self_referencing():
    def self_ref(n):
        return 0 if n == 0 else 1 + self_ref(n - 1)
    return self_ref


case((5,), name="compiled_closure_self_ref")(_make_self_referencing())


def _make_classderef_closure():
    secret = 42

    def classderef_fn():
        class Inner:
            value = secret
        return Inner.value
    return classderef_fn


case(name="compiled_closure_classderef")(_make_classderef_closure())
