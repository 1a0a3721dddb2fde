"""Odds and ends: EXTENDED_ARG (big functions), object lifetimes (__del__ timing,
exact reference counting), numeric kernels, builtins interplay, output."""
import sys
import weakref

from .harness import case


# --- EXTENDED_ARG: generated functions with long jumps, many locals/constants ---

def _generate(name, src):
    ns = {}
    exec(compile(src, f"<generated {name}>", "exec"), globals(), ns)
    f = ns[name]
    globals()[name] = f
    return f


_long_jump_src = "def long_jump(x):\n    if x:\n" + "".join(
    f"        x = x + {i}\n" for i in range(120)) + "    return x\n"
case((0,), (1,), (2 ** 62,), ("s",))(_generate("long_jump", _long_jump_src))

_many_locals_src = "def many_locals_300(a):\n" + "".join(
    f"    v{i} = a + {i}\n" for i in range(300)) + "    return " + " + ".join(
    f"v{i}" for i in range(0, 300, 7)) + ", v299, v256\n"
case((1,), (0.5,))(_generate("many_locals_300", _many_locals_src))

_many_consts_src = "def many_consts(i):\n    t = [" + ", ".join(
    f"'c{i}'" for i in range(300)) + "]\n    return t[i], " + " + ".join(
    f"{i * 1.5}" for i in range(280)) + "\n"
case((0,), (299,), (300,))(_generate("many_consts", _many_consts_src))

_long_loop_src = "def long_loop_body(n):\n    s = 0\n    for i in range(n):\n" + "".join(
    f"        s += i * {k} % 7\n" for k in range(90)) + "    return s\n"
case((3,), (0,))(_generate("long_loop_body", _long_loop_src))

_many_names_src = "def many_globals_attrs(o):\n    r = []\n" + "".join(
    f"    r.append(getattr(o, 'a{i}', {i}))\n" for i in range(0, 260, 1)) + "    return sum(r)\n"
case((None,))(_generate("many_globals_attrs", _many_names_src))


# --- object lifetimes ---------------------------------------------------------

class Noisy:
    def __init__(self, tag):
        self.tag = tag
        print("create", tag)

    def __del__(self):
        print("delete", self.tag)


@case(())
def del_timing_rebind():
    x = Noisy("a")
    print("before rebind")
    x = Noisy("b")
    print("after rebind")
    del x
    print("after del")
    Noisy("temporary")
    print("after temporary")
    return None


@case((0,), (1,))
def del_timing_with_exception(flag):
    n = Noisy("held")
    try:
        if flag:
            raise ValueError("boom")
    except ValueError:
        print("handler")
    n = None
    print("end")
    return flag


@case(())
def del_timing_in_loop():
    for i in range(3):
        obj = Noisy(i)
        print("iteration", i)
    print("loop done")
    return None


@case(())
def del_timing_containers():
    lst = [Noisy("in list")]
    d = {"k": Noisy("in dict")}
    lst.pop()
    print("popped")
    d.clear()
    print("cleared")
    return None


@case(())
def weakref_callbacks():
    log = []

    class Target:
        pass
    t = Target()
    r = weakref.ref(t, lambda ref: log.append("collected"))
    alive = r() is t
    del t
    return alive, r() is None, log


@case(([1, 2],), ({"a": 1},))
def refcounts_of_arguments(x):
    y = x
    z = [x, x]
    del z
    return sys.getrefcount(x) - sys.getrefcount(y)


@case(())
def temporaries_are_released():
    class Tracker:
        live = 0

        def __init__(self):
            Tracker.live += 1

        def __del__(self):
            Tracker.live -= 1

        def __add__(self, o):
            return Tracker()
    a = Tracker()
    for _ in range(10):
        b = a + a
        c = [a + a for _ in range(3)]
    del b, c
    return Tracker.live


# --- numeric kernels (specialisation targets) --------------------------------

@case((10,), (100,))
def sieve(n):
    flags = [True] * (n + 1)
    flags[0] = flags[1] = False
    i = 2
    while i * i <= n:
        if flags[i]:
            for j in range(i * i, n + 1, i):
                flags[j] = False
        i += 1
    return [k for k in range(n + 1) if flags[k]]


@case((30,), (1000,))
def newton_sqrt(n):
    x = float(n)
    for _ in range(30):
        x = 0.5 * (x + n / x)
    return x, x * x - n


@case((5,), (20,))
def mandel_row(w):
    out = []
    for px in range(w):
        cr = -2.0 + 3.0 * px / w
        ci = 0.5
        zr = zi = 0.0
        k = 0
        while k < 50 and zr * zr + zi * zi < 4.0:
            zr, zi = zr * zr - zi * zi + cr, 2 * zr * zi + ci
            k += 1
        out.append(k)
    return out


@case((12, 18), (2 ** 64, 2 ** 40 * 3), (0, 5), (-12, 18))
def gcd_loop(a, b):
    while b:
        a, b = b, a % b
    return a


@case(([1.5, 2.5, 3.5],), ([1, 2, 3],), ([1, 2.5],), ([],))
def mean_var(xs):
    n = len(xs)
    if n == 0:
        return None
    m = sum(xs) / n
    v = 0
    for x in xs:
        v += (x - m) ** 2
    return m, v / n


@case((1000,),)
def int_float_mixing_loop(n):
    acc = 0
    for i in range(n):
        if i % 100 == 0:
            acc = acc + 0.5
        else:
            acc = acc + i
    return acc, type(acc).__name__


@case((2 ** 62, 4),)
def int_overflow_in_loop(x, n):
    vals = []
    for _ in range(n):
        x = x * 2 - 1
        vals.append(x)
    return vals, [v.bit_length() for v in vals]


@case((0.1,), (1e308,), (5e-324,))
def float_edge_loop(x):
    out = []
    for _ in range(3):
        x = x * 10
        out.append(x)
    return out


# --- output and builtins -----------------------------------------------------

@case(())
def print_variants():
    import io
    print("a", 1, [2], {"k": 3}, sep=", ")
    print("no newline", end="")
    print()
    print("flushed", flush=True)
    buf = io.StringIO()
    print("to buffer", file=buf)
    sys.stdout.write("direct write\n")
    return buf.getvalue()


@case(())
def isinstance_and_type_checks():
    vals = [1, 1.0, "s", b"b", [], (), {}, set(), None, True, len, int, 1j]
    return [(type(v).__name__, isinstance(v, (int, float)), isinstance(v, object), callable(v)) for v in vals]


@case(())
def sorting_stability_and_keys():
    data = [("b", 2), ("a", 2), ("c", 1), ("a", 1)]
    return sorted(data), sorted(data, key=lambda t: t[1]), sorted(data, key=lambda t: (t[1], t[0]), reverse=True)


@case(())
def iter_next_with_default():
    it = iter([1])
    return next(it), next(it, "default"), next(it, None)


@case(())
def id_and_hash_relations():
    a = []
    b = a
    return id(a) == id(b), hash((1, 2)) == hash((1, 2)), hash(1) == hash(1.0), hash(-1)


@case(())
def exec_and_eval_inside():
    ns = {}
    exec("y = 2 * 21", ns)
    return eval("1 + 2"), ns["y"], eval("x * 2", {"x": 5}), compile("1", "s", "eval").co_name


@case(())
def nested_data_roundtrip():
    import json
    data = {"a": [1, 2.5, None, True], "b": {"c": "d"}}
    s = json.dumps(data, sort_keys=True)
    return s, json.loads(s) == data


@case(([3, 1, 2],))
def lambda_in_sorted_with_closure(xs):
    offset = 10
    return sorted(xs, key=lambda v: (v + offset) % 3), list(map(lambda v: v * offset, xs))


@case((5,))
def global_constant_folding_views(n):
    return (n * 2 + 1, (1, 2) + (3,), "ab" * 2, 2 ** 10, -(-n), not not n, (n, n) == (n, n),
            frozenset({1, 2}) <= {1, 2, 3}, n in {1, 5})
