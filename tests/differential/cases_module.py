"""Module-level code: LOAD_NAME/STORE_NAME/DELETE_NAME, imports, star-imports,
annotations, classes and functions at module level, errors at module level."""
from .harness import module_case

module_case("assignments", """
    a = 1
    b = a + 2
    c, *d = [b, a, 7]
    e = f"{a}-{b}"
    a += 10
    lst = [a, b]
    lst[0] = "first"
    print("module says", a, b)
""")

module_case("del_names", """
    x = 1
    y = 2
    del x
    try:
        x
    except NameError as e:
        msg = str(e)
    z = y
""")

module_case("del_missing_name", """
    q = 1
    del nonexistent_name
""")

module_case("name_error", """
    a = 1
    b = a + undefined_thing
""")

module_case("builtins_lookup", """
    n = len("abc")
    len = lambda s: 99
    m = len("abc")
    del len
    k = len("abcd")
    t = type(1).__name__
""")

module_case("functions_and_globals", """
    counter = 0

    def bump(k=1):
        global counter
        counter += k
        return counter

    def reader():
        return counter, helper()

    def helper():
        return "helped"

    bump()
    bump(5)
    result = reader()
    lam = lambda: counter * 2
    doubled = lam()
""")

module_case("recursive_function_at_module", """
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)
    values = [fib(i) for i in range(12)]
""")

module_case("classes", """
    class Animal:
        sound = "..."

        def __init__(self, name):
            self.name = name

        def speak(self):
            return f"{self.name} says {self.sound}"

    class Dog(Animal):
        sound = "woof"

        def speak(self):
            return super().speak() + "!"

    d = Dog("rex")
    said = d.speak()
    mro = [k.__name__ for k in Dog.__mro__]
    qual = Dog.__qualname__
    mod = Dog.__module__
""")

module_case("class_body_names", """
    x = "module x"

    class K:
        y = x + " seen in class"
        x = "class x"
        z = x
        del y

    kx, kz, has_y = K.x, K.z, hasattr(K, "y")
""")

module_case("imports", """
    import math
    import os.path
    import os.path as p
    from collections import OrderedDict as OD, defaultdict
    from json import dumps
    r = math.sqrt(9)
    j = p.join("a", "b")
    od = OD(a=1)
    s = dumps({"k": [1, 2]})
""")

module_case("star_import_stdlib", """
    from math import *
    r = floor(2.5), ceil(2.5), pi > 3
""")

module_case("star_import_with_all", """
    from differential._helpermod import *
    got = public(CONST), Thing(3)
    try:
        not_exported
    except NameError as e:
        err = str(e)
""")

module_case("star_import_no_all", """
    from differential._helpermod_noall import *
    got = alpha, beta, delta()
    try:
        _gamma
    except NameError as e:
        err = str(e)
""")

module_case("relative_import", """
    from . import _helpermod
    from ._helpermod import public as pub
    from ._helpermod import *
    r = pub(1), _helpermod.CONST, CONST
""", preset={"__package__": "differential", "__name__": "differential.snippet_relative"})

module_case("import_error_at_module_level", """
    import math
    from math import nothing_like_this
""")

module_case("annotations", """
    x: int = 5
    y: "str"
    z: list[int] = [1]
    def f(a: int) -> int:
        return a
    class A:
        b: int = 2
    ann = __annotations__
    fann = f.__annotations__
""")

module_case("control_flow", """
    total = 0
    for i in range(10):
        if i % 2:
            continue
        total += i
    else:
        done = True
    n = 0
    while n < 5:
        n += 1
        if n == 4:
            break
    evens = [i for i in range(6) if i % 2 == 0]
    squares = {i: i * i for i in range(4)}
    gen = list(i for i in range(3))
""")

module_case("exceptions", """
    log = []
    try:
        1 / 0
    except ZeroDivisionError as e:
        log.append(str(e))
    else:
        log.append("else")
    finally:
        log.append("finally")
    try:
        raise KeyError("k")
    except (ValueError, KeyError) as err:
        caught = repr(err)
    has_err_name = "err" in dir()
""")

module_case("uncaught_exception_keeps_partial_namespace", """
    first = 1
    second = [first]
    raise RuntimeError("module failed")
    never = 3
""")

module_case("exception_chain_at_module_level", """
    try:
        {}["x"]
    except KeyError as e:
        raise ValueError("converted") from e
""")

module_case("with_statement", """
    import contextlib
    log = []

    @contextlib.contextmanager
    def cm():
        log.append("enter")
        yield 5
        log.append("exit")

    with cm() as v:
        log.append(v)
    with contextlib.suppress(ZeroDivisionError):
        1 / 0
""")

module_case("match_at_module_level", """
    results = []
    for item in [0, [1, 2], {"k": 3}, "s", (4, 5, 6)]:
        match item:
            case 0:
                results.append("zero")
            case [a, b]:
                results.append(("pair", a, b))
            case {"k": v}:
                results.append(("map", v))
            case str() as s:
                results.append(("str", s))
            case (first, *rest):
                results.append(("seq", first, rest))
""")

module_case("closures_at_module_level", """
    def make(n):
        def add(x):
            return x + n
        return add
    add5 = make(5)
    r = add5(1)

    def outer():
        v = 1
        class Inner:
            w = v + 1
        return Inner.w
    inner_w = outer()
""")

module_case("global_statement_at_module_level", """
    global g
    g = 1
    def f():
        global g
        g += 1
    f()
    f()
""")

module_case("del_then_global_lookup", """
    import builtins
    abs = "shadowed"
    a = abs
    del abs
    b = abs(-3)
""")

module_case("walrus_and_conditional", """
    data = [1, 2, 3, 4]
    if (n := len(data)) > 3:
        big = True
    label = "many" if n > 2 else "few"
    both = n > 1 and label or None
""")

module_case("print_expression_interactive", """
    1 + 1
""", mode="single")

module_case("interactive_statement_sequence", """
    x = [1, 2]; x.append(3); x
""", mode="single")

module_case("dunder_names", """
    name = __name__
    has_builtins = "__builtins__" in globals()
    d = __doc__ if "__doc__" in dir() else "no doc"
""")

module_case("module_docstring_and_all", '''
    """Snippet docstring."""
    __all__ = ["a"]
    a = 1
    doc = __doc__
''')

module_case("locals_is_globals", """
    x = 1
    same = locals() is globals()
    names = sorted(k for k in locals() if not k.startswith("__"))
""")

module_case("store_and_load_attr_subscript", """
    class NS:
        pass
    ns = NS()
    ns.a = 1
    ns.a += 1
    d = {}
    d["k"] = ns.a
    d["k"] *= 3
    del ns.a
    has_a = hasattr(ns, "a")
""")

module_case("loops_with_large_body_and_nested_functions", """
    def compute(n):
        s = 0
        for i in range(n):
            for j in range(i):
                s += (i * j) % 7
        return s
    out = [compute(k) for k in range(8)]
    total = sum(out)
""")

module_case("async_def_at_module_level_not_run", """
    async def coro(x):
        return x
    async_name = coro.__name__
    def gen():
        yield 1
    gen_list = list(gen())
""")

module_case("traceback_through_module_function", """
    def inner(x):
        return 1 // x

    def outer(x):
        return inner(x) + 1

    ok = outer(1)
    outer(0)
""")

module_case("main_guard_and_del_function", """
    def helper():
        return "helped"
    if __name__ == "__main__":
        branch = "main"
    elif __name__.startswith("snippet_"):
        branch = "snippet"
    else:
        branch = "other"
    r = helper()
    del helper
""")

module_case("unpack_error_at_module_level", """
    a, b = 1, 2
    c, d = [1, 2, 3]
""")

module_case("class_body_name_error", """
    class K:
        a = 1
        b = missing_in_class_body
""")

module_case("nested_scopes_from_module", """
    x = "global x"
    def f():
        x = "f x"
        def g():
            nonlocal x
            x = "g set"
            return x
        class C:
            y = x
        return g(), x, C.y
    result = f()
    after = x
""")

module_case("module_level_loop_with_try_finally_break", """
    log = []
    for i in range(5):
        try:
            if i == 3:
                break
            if i == 1:
                continue
            log.append(i)
        finally:
            log.append("f")
    else:
        log.append("no break")
""")

module_case("module_level_comprehension_sees_module_names", """
    base = 10
    vals = [base + i for i in range(3)]
    table = {k: base for k in "ab"}
    lazy = (base * i for i in range(2))
    first = next(lazy)
    base = 100
    second = next(lazy)
""")
