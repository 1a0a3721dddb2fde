"""Unpacking: sequences, star targets, nested, errors, swaps, for-loop targets."""
from .harness import case


@case(((1, 2),), ([1, 2],), ("ab",), ({1: "a", 2: "b"},), (range(2),), (iter([5, 6]),),
      ((1, 2, 3),), ((1,),), (5,), (None,), ({7},))
def unpack2(x):
    a, b = x
    return a, b


@case(((1, 2, 3),), ([1],), ((1, 2),), ("abcdef",), (range(10),), ((),))
def unpack_star(x):
    a, *b, c = x
    return a, b, c


@case(((1, 2, 3),), ((1,),), ((),))
def unpack_star_first(x):
    *a, b = x
    return a, b


@case(((1, 2, 3, 4),), ((1, 2),))
def unpack_star_end(x):
    a, b, *c = x
    return a, b, c


@case(((1, (2, 3), [4, [5, 6]]),), ((1, (2,), [4, [5, 6]]),), ((1, "xy", "z7"),))
def unpack_nested(x):
    a, (b, c), [d, (e, f)] = x
    return a, b, c, d, e, f


@case((1, 2), ("x", [1]))
def swaps(a, b):
    a, b = b, a
    c = 3
    a, b, c = c, a, b
    a, b, c, d = d_init = (a, b, c, 0)
    return a, b, c, d, d_init


@case(([(1, "a"), (2, "b")],), ({"x": 1, "y": 2},), ([(1, 2, 3)],), ([[1, [2, 3]]],))
def for_targets(items):
    out = []
    if isinstance(items, dict):
        for k, v in items.items():
            out.append((k, v))
        return out
    for first, *rest in items:
        out.append((first, rest))
    return out


class Holder:
    pass


@case(())
def unpack_to_attrs_and_subscripts():
    h = Holder()
    d = {}
    lst = [0, 0, 0]
    h.a, d["k"], lst[1], *lst[2:] = range(5)
    return h.a, d, lst


@case(())
def chained_assignment():
    a = b = c = []
    a.append(1)
    x = y = 5
    y += 1
    d = {}
    d["a"] = d["b"] = 7
    i, j = k = (1, 2)
    return a, b, c is a, x, y, d, i, j, k


class Seq:
    def __init__(self, n):
        self.n = n

    def __iter__(self):
        print("iter called")
        for i in range(self.n):
            print("yield", i)
            yield i


@case((Seq(2),), (Seq(3),), (Seq(1),))
def unpack_lazy_iterator(s):
    a, b = s
    return a, b


@case((Seq(5),), (Seq(1),))
def unpack_star_lazy(s):
    a, *b, c = s
    return a, b, c


@case(())
def unpack_in_comprehension_and_lambda():
    pairs = [(1, 2), (3, 4)]
    return [a + b for a, b in pairs], dict((b, a) for a, b in pairs), sorted(pairs, key=lambda p: -p[1])


@case(((1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),))
def unpack_many(t):
    a, b, c, d, e, f, g, h, i, j, k, l = t
    return l, k, j, i, h, g, f, e, d, c, b, a


@case(((1, [2, 3]),))
def unpack_star_nested(t):
    a, [b, *c] = t
    (d, *e), = [t]
    return a, b, c, d, e


class _IterNone:
    __iter__ = None      # a tp_iter slot that refuses: "'_IterNone' object is not iterable"


class _InstanceKeys:
    def __init__(self):
        self.keys = lambda: ["a", "b"]      # an instance attribute serves ** too

    def __getitem__(self, k):
        return k * 2


class _KeysAttributeError:
    def keys(self):
        raise AttributeError("inside keys")

    def __getitem__(self, k):
        return 1


class _KeysNotIterable:
    def keys(self):
        return 5

    def __getitem__(self, k):
        return 1


@case((0,), (1,), (2,), (3,), (4,), (5,), (6,))
def unpack_error_messages(which):
    import decimal
    import re
    if which == 0:
        a, b = decimal.Decimal(1)           # the C type's module-qualified name
    elif which == 1:
        a, b = _IterNone()
    elif which == 2:
        a, *b = _IterNone()
    elif which == 3:
        return [*_IterNone()]
    elif which == 4:
        return [*decimal.Decimal(1)]
    elif which == 5:
        a, b = re.match("x", "x")           # item access but no sequence slot
    else:
        return {**decimal.Decimal(1)}
    return a, b


@case((0,), (1,), (2,), (3,))
def dict_unpack_protocol(which):
    def f(**kw):
        return sorted(kw.items())
    obj = [_InstanceKeys(), _KeysAttributeError(), _KeysNotIterable(), {"a": 1}][which]
    out = [sorted({**obj}.items())]
    out.append(f(**obj))
    return out


class _TupleSub(tuple):
    pass


class _OwnIterList(list):
    def __iter__(self):          # a list subclass's own __iter__: unpacking calls it
        return iter(["own", "iter", "items", "here"])


class _SequenceOnly:
    def __getitem__(self, i):    # no __iter__: iterated by index
        if i < 3:
            return i * 10
        raise IndexError(i)


_STAR_KINDS = ("tuple", "list", "tuple2", "list2", "tuple1", "empty", "empty_list", "str",
               "gen", "gen1", "range", "dict", "set", "tuple_sub", "own_iter", "sequence",
               "int", "none", "iter_none")


def _star_source(kind):
    return {"tuple": lambda: (1, 2, 3, 4, 5), "list": lambda: [1, 2, 3, 4, 5],
            "tuple2": lambda: (1, 2), "list2": lambda: [1, 2], "tuple1": lambda: (1,),
            "empty": lambda: (), "empty_list": lambda: [], "str": lambda: "abcde",
            "gen": lambda: (i * i for i in range(5)), "gen1": lambda: (i for i in range(1)),
            "range": lambda: range(4), "dict": lambda: {"a": 1, "b": 2, "c": 3},
            "set": lambda: {7}, "tuple_sub": lambda: _TupleSub((1, 2, 3, 4)),
            "own_iter": lambda: _OwnIterList([1, 2]), "sequence": _SequenceOnly,
            "int": lambda: 5, "none": lambda: None, "iter_none": _IterNone}[kind]()


@case(*[(shape, kind) for shape in range(5) for kind in _STAR_KINDS])
def unpack_ex_shapes(shape, kind):
    # exact tuples and lists unpack natively; the rest (and too few values) by the protocol
    seq = _star_source(kind)
    if shape == 0:
        a, *b = seq
        return a, b
    if shape == 1:
        *a, b = seq
        return a, b
    if shape == 2:
        a, *b, c = seq
        return a, b, c
    if shape == 3:
        a, b, *c, d, e = seq
        return a, b, c, d, e
    *a, = seq
    return a


@case(([], {}))
def unpack_ex_references(a, b):
    # the items and the star list are new references, on the fast and the slow path
    t = (a, b, a, b, a)
    lst = [b, a, b]
    for _ in range(3):
        x, *y, z = t
        p, q, *r = lst
        *s, u = lst
        *w, = t
        try:
            m, n, *o, v = [a, b]
        except ValueError:
            pass
        h, *rest = (e for e in lst)
    y.append(a)          # a new list, not the source
    return y, r, s, w, rest, lst, x is a, u is b


@case(([5, 4, 3, 2, 1],))
def unpack_ex_loop(xs):
    out = []
    rest = xs
    while rest:
        head, *rest = rest
        out.append(head)
        *init, last = xs
        out.append(len(init) + last)
    return out, xs
