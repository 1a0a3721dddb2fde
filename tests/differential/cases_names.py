"""Locals, globals, builtins, global/nonlocal, del, UnboundLocalError/NameError."""
from .harness import case

G = 10
GLIST = [1, 2]
COUNT = 0
TO_DELETE = "present"


@case((1,), (5,))
def read_global(x):
    return x + G, GLIST[-1], len(GLIST)


@case((3,), (-1,), globals=("G", "COUNT"))
def write_global(x):
    global G, COUNT
    G = G + x
    COUNT += 1
    return G, COUNT


@case((4,), globals=("GLIST",))
def mutate_global_list(x):
    GLIST.append(x)
    GLIST[0] = -GLIST[0]
    return GLIST


@case((), globals=("NEW_GLOBAL",))
def create_global():
    global NEW_GLOBAL
    NEW_GLOBAL = [1, 2, 3]
    return NEW_GLOBAL


@case((), globals=("TO_DELETE",))
def del_global():
    global TO_DELETE
    v = TO_DELETE
    del TO_DELETE
    try:
        return v, TO_DELETE
    except NameError as e:
        return v, str(e)


@case((), globals=("NEVER_EXISTED",))
def del_missing_global():
    global NEVER_EXISTED
    del NEVER_EXISTED


@case(())
def name_error():
    return undefined_name_xyz + 1  # noqa: F821


@case((0,), (1,))
def name_error_in_branch(x):
    if x:
        return undefined_other  # noqa: F821
    return "fine"


@case((True,), (False,))
def unbound_local(flag):
    if flag:
        y = 1
    return y


@case(())
def unbound_local_shadowing_global():
    r = G  # noqa: F823 - local below makes this an UnboundLocalError
    G = 5
    return r, G


@case((1,), (2,))
def del_local(x):
    y = x * 2
    del y
    try:
        return y
    except UnboundLocalError as e:
        return str(e)


@case(())
def del_local_twice():
    a = 1
    del a
    del a


@case(())
def del_unbound_local():
    if False:
        b = 1
    del b


@case(([1, 2, 3],))
def del_loop_var(xs):
    for x in xs:
        pass
    del x
    out = []
    for x in xs:
        out.append(x)
    return out, x


@case(())
def builtins_used():
    return (len("abc"), abs(-2), min(3, 1, 2), max([4, 9]), sum(range(5)), sorted("cab"),
            isinstance(1, int), issubclass(bool, int), type(1.5).__name__, repr("x"),
            list(map(str, [1, 2])), list(zip("ab", [1, 2])), list(reversed([1, 2, 3])),
            dict(a=1), bool(0), chr(65), ord("a"), hex(255), oct(8), bin(5),
            round(2.675, 2), divmod(7, 2), callable(len), hasattr("", "join"), getattr(1, "real"),
            id(None) == id(None), hash("a") == hash("a"), format(3.5, ".3f"), ascii("é"),
            next(iter([7])), pow(2, 5), frozenset([1]), slice(1, 2), range(3)[-1])


len = len  # a module global shadowing a builtin, rebinding it is observable


@case((), globals=("len",))
def shadow_builtin():
    global len
    a = len("abcd")
    len = lambda x: -1  # noqa: E731
    b = len("abcd")
    del len
    c = len("abcd")
    return a, b, c


@case((5,))
def local_shadows_builtin(n):
    max = n * 2  # noqa: F841
    return max, min(n, 3)


@case(())
def print_is_builtin():
    print("hello", 1, 2.5, None, sep="|", end="!\n")
    print()
    print("a", "b")
    print(*[1, 2, 3])
    return None


@case((2,))
def many_locals(n):
    a = n
    b = a + 1
    c = b + 1
    d = c + 1
    e = d + 1
    f = e + 1
    g = f + 1
    h = g + 1
    i = h + 1
    j = i + 1
    k = j + 1
    m = k + 1
    a, b, c = c, a, b
    return a, b, c, d, e, f, g, h, i, j, k, m


@case((1,), (2,))
def nonlocal_counter(n):
    count = 0

    def inc(k):
        nonlocal count
        count += k
        return count
    inc(n)
    inc(n)
    return count, inc(10)


@case(())
def nonlocal_del():
    x = 1

    def kill():
        nonlocal x
        del x

    def read():
        return x
    kill()
    try:
        return read()
    except NameError as e:
        return type(e).__name__, str(e)


@case(())
def cell_del_in_owner():
    x = 1

    def read():
        return x
    del x
    try:
        return read()
    except NameError as e:
        return type(e).__name__, str(e)


@case(())
def cell_unbound_in_owner():
    def read():
        return x
    try:
        v = x
    except UnboundLocalError as e:
        v = str(e)
    x = 3
    return v, read()


@case(())
def free_unbound_in_inner():
    def read():
        return x
    try:
        read()
    except NameError as e:
        r = type(e).__name__, str(e)
    x = 1
    return r, read()


@case(())
def global_in_nested():
    def inner():
        global G
        return G
    G = "local G"
    return inner(), G


@case(())
def globals_and_locals_builtins():
    a = 1
    loc = locals()
    return sorted(loc), "G" in globals(), globals()["G"]


@case(())
def vars_and_dir():
    x = 1
    y = 2
    return sorted(vars()), dir()


@case((1,), (2,))
def rebinding_types(x):
    v = x
    v = str(v)
    v = [v]
    v = {"k": v}
    v = None if x == 1 else v
    return v


@case((3,))
def reassign_args(a, b=5, *args, c=6, **kw):
    a = a * 2
    b = "b"
    args = args + (1,)
    c = None
    kw = {"z": 1}
    return a, b, args, c, kw


@case(())
def builtin_name_errors():
    out = []
    try:
        out.append(__builtins__ is not None)
    except NameError as e:
        out.append(str(e))
    out.append(__name__)
    out.append(__doc__)
    return out
