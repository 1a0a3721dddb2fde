"""Building tuples, lists, sets, dicts: displays, star-unpacking, merges, updates."""
from .harness import case


@case((1, 2), ("a", None))
def displays(a, b):
    return (a, b), [a, b], {a, b}, {a: b, b: a}, (a,), [], {}, (), set(), [[a], (b,)]


@case(((1, 2), [3]), ("ab", {4: 5}), ((), []))
def star_displays(x, y):
    return [*x, *y], (*x, *y), {*x, *y}, [0, *x, 1, *y, 2], (*x, 0), {0, *y}, [*x], (*y,)


@case(({"a": 1}, {"b": 2, "a": 3}), ({}, {}))
def dict_merges(a, b):
    return {**a, **b}, {**b, "a": 0, **a}, {"z": 1, **a}, a | b, {**a, "k": [*a]}


@case(({"a": 1}, [("b", 2)]), ({"a": 1}, 5), ({"a": 1}, "xy"), ({1: 2}, {"x": 1}))
def dict_merge_errors(a, b):
    out = []
    try:
        out.append({**a, **b})
    except TypeError as e:
        out.append(str(e))
    try:
        d = dict(a)
        d.update(b)
        out.append(d)
    except (TypeError, ValueError) as e:
        out.append(str(e))
    try:
        d = dict(a)
        d |= b
        out.append(d)
    except (TypeError, ValueError) as e:
        out.append(type(e).__name__ + ": " + str(e))
    return out


@case((1, "x"), (2, "y"))
def const_key_maps(v, w):
    return {"a": v, "b": w, "c": 3}, {1: v, 2: w}, {"a": 1, "b": 2}, {v: 1, "a": w}


@case(([1], [2]),)
def unhashable_in_displays(a, b):
    out = []
    try:
        out.append({a, 1})
    except TypeError as e:
        out.append(str(e))
    try:
        out.append({a: 1})
    except TypeError as e:
        out.append(str(e))
    try:
        out.append({1, *[a]})
    except TypeError as e:
        out.append(str(e))
    return out


@case((5,), (0,))
def star_errors(n):
    out = []
    try:
        out.append([*n])
    except TypeError as e:
        out.append(str(e))
    try:
        out.append({**n})
    except TypeError as e:
        out.append(str(e))
    try:
        out.append((*n, 1))
    except TypeError as e:
        out.append(str(e))
    try:
        out.append({1, *n})
    except TypeError as e:
        out.append(str(e))
    return out


@case(([3, 1, 2],))
def list_ops(xs):
    ys = xs + [4]
    ys *= 2
    zs = xs * 0
    ys[1:3] = []
    return ys, zs, xs.copy(), list(xs), xs[:] is xs, sorted(ys), len(ys), [1, 2] < [1, 3]


@case(({1, 2, 3}, {3, 4}))
def set_ops(a, b):
    c = set(a)
    c.add(9)
    c.discard(1)
    c.update(b)
    return a | b, a & b, a - b, a ^ b, a <= b, a < a | b, c, {x for x in a if x > 1}, 2 in a


@case(({"a": 1, "b": 2},))
def dict_ops(d):
    d["c"] = 3
    d.setdefault("d", []).append(1)
    v = d.pop("a")
    items = list(d.items())
    keys = list(d)
    d2 = dict(d, e=5)
    return v, items, keys, d2, d.get("zz"), "b" in d, len(d), list(d.values())[-1]


@case(())
def dict_order_and_overwrite():
    d = {"x": 1, "y": 2, "x": 3}  # noqa: F601
    d["y"] = 5
    del d["x"]
    d["x"] = 0
    return list(d.items())


@case(((1, 2, 3),))
def tuple_ops(t):
    return t + (4,), t * 2, t[1:], t.index(2), t.count(1), hash(t) == hash((1, 2, 3)), tuple([1]), (1,) * 0


@case(())
def nested_mutation_aliasing():
    row = [0] * 3
    grid = [row] * 2
    grid[0][0] = 1
    fresh = [[0] * 3 for _ in range(2)]
    fresh[0][0] = 1
    return grid, fresh, grid[0] is grid[1]


@case(([1, 2, 3], {"k": 1}))
def mutate_args(xs, d):
    xs.append(4)
    xs[0] = "first"
    d["new"] = xs
    d.pop("k")
    return None


@case(())
def big_displays():
    return [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
            26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40], {
        "a": 1, "b": 2, "c": 3, "d": 4, "e": 5, "f": 6, "g": 7, "h": 8, "i": 9, "j": 10, "k": 11,
        "l": 12, "m": 13, "n": 14, "o": 15, "p": 16, "q": 17, "r": 18, "s": 19}


@case((1, 2, 3),)
def big_nonconst_display(a, b, c):
    return [a, b, c, a, b, c, a, b, c, a, b, c, a, b, c, a, b, c, a, b, c, a, b, c, a, b, c, a, b, c,
            a, b, c, a, b, c], {a: b, b: c, c: a, a + 10: b, b + 10: c, c + 10: a, a + 20: 1, b + 20: 2,
                                c + 20: 3, a + 30: 4, b + 30: 5, c + 30: 6, a + 40: 7, b + 40: 8,
                                c + 40: 9, a + 50: 10, b + 50: 11, c + 50: 12}


@case(([5, 3, 8, 1],))
def builtin_container_functions(xs):
    return (sorted(xs), list(reversed(xs)), sum(xs), min(xs), max(xs), len(xs), list(enumerate(xs)),
            dict(zip("abcd", xs)), list(filter(None, [0, 1, 2])), list(map(lambda x: x * 2, xs)),
            set(xs) == {1, 3, 5, 8}, tuple(xs), any(x > 7 for x in xs), all(xs))


@case(())
def collections_types():
    import collections
    d = collections.defaultdict(list)
    d["a"].append(1)
    od = collections.OrderedDict([("x", 1), ("y", 2)])
    od.move_to_end("x")
    c = collections.Counter("abracadabra")
    dq = collections.deque([1, 2, 3], maxlen=3)
    dq.append(4)
    Point = collections.namedtuple("Point", "x y")
    p = Point(1, y=2)
    return d, od, sorted(c.items()), dq, p, p._replace(x=5), p.x + p[1]


@case(([1, 2, 3, 4],))
def list_index_assign_errors(xs):
    out = []
    for i in (4, -5, "1", 1.0):
        try:
            xs[i] = 0
        except (IndexError, TypeError) as e:
            out.append((type(e).__name__, str(e)))
    try:
        xs.remove(99)
    except ValueError as e:
        out.append(str(e))
    try:
        [].pop()
    except IndexError as e:
        out.append(str(e))
    try:
        {}.popitem()
    except KeyError as e:
        out.append(str(e))
    return out, xs


@case(())
def frozenset_and_set_of_tuples():
    s = {(1, 2), (1, 2), frozenset({3})}
    return len(s), frozenset({1, 2}) == {1, 2}, {frozenset(): 1}


class _ListOwnIter(list):
    def __iter__(self):          # its own __iter__: [*x] and {*x} call it
        return iter(["own"])


class _ByIndex:
    def __getitem__(self, i):    # no __iter__: iterated by index
        if i < 2:
            return -i
        raise IndexError(i)


class _IterRefused:
    __iter__ = None


_EXTEND_KINDS = ("tuple", "list", "empty", "gen", "str", "range", "dict", "set", "frozenset",
                 "own_iter", "by_index", "int", "none", "refused", "unhashable")


def _extend_source(kind):
    return {"tuple": lambda: (3, 1), "list": lambda: [2, 2], "empty": tuple,
            "gen": lambda: (i for i in range(3)), "str": lambda: "ab", "range": lambda: range(2),
            "dict": lambda: {"k": 1}, "set": lambda: {9}, "frozenset": lambda: frozenset({8}),
            "own_iter": lambda: _ListOwnIter([1]), "by_index": _ByIndex, "int": lambda: 5,
            "none": lambda: None, "refused": _IterRefused, "unhashable": lambda: ([1],)}[kind]()


@case(*[(kind,) for kind in _EXTEND_KINDS])
def star_display_kinds(kind):
    # [*x] and {*x} extend natively from anything with __iter__ (the interpreter's
    # _PyList_Extend / _PySet_Update); else the protocol and its error messages
    out = []
    for i in range(7):
        x = _extend_source(kind)
        try:
            if i == 0:
                out.append([*x])
            elif i == 1:
                out.append([0, *x, *x])
            elif i == 2:
                out.append((*x, 1))
            elif i == 3:
                out.append({*x})
            elif i == 4:
                out.append({0, *x})
            elif i == 5:
                out.append([1, 2, 3])
            else:
                out.append({1, 2, 3})
        except TypeError as e:
            out.append(str(e))
    return out


class _DictOwnIterMap(dict):
    def __iter__(self):          # its own __iter__: {**m} asks keys() and [key]
        return iter(["x"])

    def keys(self):
        return ["x", "y"]

    def __getitem__(self, k):
        return k * 3


class _DictKeysIgnored(dict):
    def keys(self):              # ignored: dict's own __iter__ means its items are taken
        return ["zz"]


class _DictBadKey(dict):
    def __iter__(self):
        return iter([])

    def keys(self):
        return ["nope"]          # dict.__getitem__ raises KeyError for it


class _MapKeys:
    def __init__(self, keys):
        self._keys = keys

    def keys(self):
        if isinstance(self._keys, BaseException):
            raise self._keys
        return self._keys

    def __getitem__(self, k):
        return str(k) * 2


_UPDATE_KINDS = ("dict", "empty", "own_iter", "keys_ignored", "bad_key", "mapping", "pairs",
                 "int", "none", "keys_attribute_error", "keys_not_iterable", "unhashable_key")


def _update_source(kind):
    return {"dict": lambda: {"a": 1, 2: "b"}, "empty": dict,
            "own_iter": lambda: _DictOwnIterMap(q=1),
            "keys_ignored": lambda: _DictKeysIgnored(a=5), "bad_key": _DictBadKey,
            "mapping": lambda: _MapKeys(["m", 1]), "pairs": lambda: [("a", 1)], "int": lambda: 5,
            "none": lambda: None, "keys_attribute_error": lambda: _MapKeys(AttributeError("no")),
            "keys_not_iterable": lambda: _MapKeys(5),
            "unhashable_key": lambda: _MapKeys([[1]])}[kind]()


@case(*[(kind,) for kind in _UPDATE_KINDS])
def dict_update_kinds(kind):
    # {**m}: PyDict_Update as the interpreter calls it, an AttributeError worded as
    # "not a mapping"
    out = []
    for i in range(4):
        m = _update_source(kind)
        try:
            if i == 0:
                out.append({**m})
            elif i == 1:
                out.append({"a": 0, **m, "z": 1})
            elif i == 2:
                out.append({**m, **m})
            else:
                out.append({**{"a": 0}, **m})
        except (TypeError, KeyError) as e:
            out.append((type(e).__name__, str(e), type(e.__context__).__name__))
    return out


@case(([], {}, set()))
def container_merge_references(a, b, c):
    # items merged natively, and failed merges, leak no references
    t, d = (a, b, c), {"x": a, "y": b}
    out = None
    for _ in range(3):
        out = [*t, *[a, b], *(v for v in t)], {**d, "z": c, **d}, {*t[:0], *{1}}
        for i in range(3):
            try:
                if i == 0:
                    out = [*t, *5]
                elif i == 1:
                    out = {**d, **5}
                else:
                    out = {*t, *{1: 2}, *[a]}
            except TypeError:
                pass
    return out
