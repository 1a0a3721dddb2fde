"""Attributes, subscripts, slices, method calls, del of attributes/subscripts/slices."""
from .harness import case


class Obj:
    cls_attr = "class level"

    def __init__(self, **kw):
        self.__dict__.update(kw)

    def method(self, x):
        return ("method", x)

    @property
    def prop(self):
        return "prop of " + type(self).__name__

    @classmethod
    def cm(cls, x):
        return (cls.__name__, x)

    @staticmethod
    def sm(x):
        return ("static", x)

    def __repr__(self):
        return f"Obj({sorted(self.__dict__.items())})"


class Dyn:
    def __getattr__(self, name):
        if name.startswith(("no", "__")):
            raise AttributeError(f"Dyn has no {name}")
        return name.upper()


class Guarded:
    __slots__ = ("a", "b")

    def __init__(self):
        self.a = 1


class Logged:
    def __init__(self):
        object.__setattr__(self, "log", [])

    def __setattr__(self, k, v):
        self.log.append(("set", k, v))
        object.__setattr__(self, k, v)

    def __delattr__(self, k):
        self.log.append(("del", k))
        object.__delattr__(self, k)

    def __getattribute__(self, k):
        if k == "magic":
            return 42
        return object.__getattribute__(self, k)


@case((Obj(a=1, b=[2]),), (Obj(),))
def get_attrs(o):
    out = [o.cls_attr, o.prop, o.method(1), o.cm(2), o.sm(3), Obj.cm(4), Obj.sm(5)]
    try:
        out.append(o.a)
        out.append(o.b[0])
    except AttributeError as e:
        out.append(str(e))
    return out


@case((Obj(),), (Obj(x=5),))
def set_attrs(o):
    o.x = 1
    o.y = o.x + 1
    o.x += 10
    o.cls_attr = "shadowed"
    return o.x, o.y, o.cls_attr, Obj.cls_attr, o


@case((Obj(a=1, b=2),))
def del_attr(o):
    del o.a
    try:
        o.a
    except AttributeError as e:
        r1 = str(e)
    try:
        del o.zz
    except AttributeError as e:
        r2 = str(e)
    return r1, r2, o


@case((1,), ("s",), ([1],), (None,), (Obj(),), (Dyn(),), (Guarded(),))
def missing_attr(x):
    return x.nope


@case((1,), ("s",), ([1],), (None,), (Obj(),), (Dyn(),), (Guarded(),))
def missing_method_call(x):
    return x.nope(1)


@case((Obj(),), (Dyn(),))
def missing_method_call_caught(x):
    try:
        return x.no_such_method()
    except AttributeError as e:
        return "caught", str(e)


@case((Dyn(),))
def getattr_hook(d):
    return d.foo, getattr(d, "bar"), getattr(d, "nope", "default"), hasattr(d, "nothing")


@case((Guarded(),))
def slots(g):
    out = [g.a]
    try:
        out.append(g.b)
    except AttributeError as e:
        out.append(str(e))
    g.b = 2
    out.append(g.b)
    try:
        g.c = 3
    except AttributeError as e:
        out.append(str(e))
    del g.a
    try:
        del g.a
    except AttributeError as e:
        out.append(str(e))
    return out


@case((Logged(),))
def attr_hooks(o):
    o.x = 1
    o.x = 2
    del o.x
    return o.log, o.magic


@case((1,), ("abc",), ((1, 2),))
def set_attr_on_builtin(x):
    x.foo = 1


@case(())
def builtin_attrs():
    return (1 .real, (2.5).imag, "abc".upper, [].append.__name__, (1).__class__,
            int.__name__, str.join(",", ["a", "b"]), {}.get("x", 9))


@case(([1, 2, 3, 4, 5],), ("abcdef",), ((1, 2, 3),), (range(10),), (b"bytes!",))
def subscripts(s):
    return s[0], s[-1], s[1:3], s[::2], s[::-1], s[-2:], s[:-2], s[10:], s[1:-1:2], s[len(s) // 2]


@case(([1, 2, 3], 3), ([1, 2, 3], -4), ("ab", 5), ((), 0), ([1], "0"), ([1], 1.0),
      ({"a": 1}, "b"), ({}, [1]), (5, 0), (None, 0), ({1: "x"}, True), ({(1, 2): 3}, (1, 2)),
      ([1, 2], 2 ** 100), ("abc", -2 ** 70))
def subscript_errors(s, i):
    return s[i]


@case(([1, 2, 3, 4, 5], 1, 4, 1), ([1, 2, 3, 4, 5], None, None, -1), ("hello world", -5, None, None),
      ([1, 2, 3], 5, 1, None), ([1, 2, 3], 0, 3, 0), ((1, 2, 3, 4), -100, 100, 3),
      ([1, 2, 3], "a", None, None), ([1, 2, 3], 2 ** 100, None, None))
def slices_dynamic(s, a, b, c):
    return s[a:b:c], s[a:b], s[a:], s[:b]


@case(([0, 1, 2, 3, 4, 5],))
def slice_assign(xs):
    xs[1:3] = ["a", "b", "c"]
    xs[::2] = [None] * len(xs[::2])
    xs[-1:] = []
    xs[:0] = (9,)
    try:
        xs[::2] = [1]
    except ValueError as e:
        xs.append(str(e))
    return xs


@case(([0, 1, 2, 3, 4, 5, 6],))
def del_slices(xs):
    del xs[1:3]
    del xs[::2]
    del xs[-1]
    return xs


@case(({"a": 1, "b": 2},), ([1, 2, 3],))
def del_subscript(c):
    if isinstance(c, dict):
        del c["a"]
        try:
            del c["zz"]
        except KeyError as e:
            return c, str(e), e.args
    else:
        del c[0]
        try:
            del c[10]
        except IndexError as e:
            return c, str(e)


@case(((1, 2),), ("ab",), (frozenset(),), (None,))
def store_subscript_errors(x):
    x[0] = 1


@case(((1, 2),), ("ab",), (5,))
def del_subscript_errors(x):
    del x[0]


@case(({},), ({"k": [0]},))
def store_subscripts(d):
    d["k"] = d.get("k", []) + [1]
    d["k"][0] = "zero"
    d[1, 2] = "tuple key"
    d[None] = d
    d["k"] += [2]
    return sorted(map(repr, d))


class Grid:
    def __init__(self):
        self.cells = {}
        self.log = []

    def __getitem__(self, k):
        self.log.append(("get", k))
        if isinstance(k, slice):
            return ("slice", k.start, k.stop, k.step)
        return self.cells.get(k, 0)

    def __setitem__(self, k, v):
        self.log.append(("set", k, v))
        self.cells[k] = v

    def __delitem__(self, k):
        self.log.append(("del", k))
        self.cells.pop(k, None)


@case((Grid(),))
def user_subscripts(g):
    g[1, 2] = 5
    g[1, 2] += 1
    a = g[1, 2]
    b = g[1:2]
    c = g[::3]
    d = g[..., 1]
    g[:5] = "x"
    del g[1, 2]
    del g[1:]
    return a, b, c, d, g.log


class Typed:
    def __class_getitem__(cls, item):
        return ("generic", cls.__name__, item)


@case(())
def class_getitem():
    return Typed[int], list[int] == list[int], repr(dict[str, int]), Typed["x", 1]


@case(([3, 1, 2],), (["b", "a"],))
def method_calls(xs):
    xs.append(0)
    xs.sort()
    xs.reverse()
    n = xs.count(0)
    i = xs.index(xs[0])
    xs.insert(1, "ins")
    p = xs.pop()
    xs.extend((7, 8))
    xs.remove(7)
    return xs, n, i, p


@case(("Hello, World",))
def str_method_chain(s):
    return s.lower().replace("o", "0").split(", "), s.startswith("He"), s.find("W"), s.strip("Hd")


@case(([1, 2],))
def bound_method_objects(xs):
    app = xs.append
    app(3)
    m = [].append
    f = str.upper
    return xs, f("x"), app.__self__ is xs, m.__name__


@case((Obj(),))
def method_missing_or_bad_call(o):
    out = []
    try:
        o.method()
    except TypeError as e:
        out.append(str(e))
    try:
        o.method(1, 2)
    except TypeError as e:
        out.append(str(e))
    try:
        o.missing_method(1)
    except AttributeError as e:
        out.append(str(e))
    try:
        o.prop()
    except TypeError as e:
        out.append(str(e))
    return out


class Chain:
    def __init__(self, n=0):
        self.n = n

    def step(self, k=1):
        return Chain(self.n + k)

    @property
    def inner(self):
        return Chain(self.n * 10)


@case(())
def attribute_chains():
    c = Chain()
    return c.step().step(2).inner.step(k=3).n, Chain(1).inner.inner.n


@case(())
def getattr_setattr_builtins():
    o = Obj()
    setattr(o, "a b", 1)
    setattr(o, "x", 2)
    delattr(o, "x")
    return getattr(o, "a b"), hasattr(o, "x"), getattr(o, "x", None), vars(o)


@case((Obj(),))
def super_attrs_and_type(o):
    return type(o).__name__, o.__class__.__name__, type(o).__mro__[-1].__name__, o.__dict__


# ---- instance attributes read and written through the per-site caches ----

class Pt:
    scale = 2

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Pt3(Pt):
    def __init__(self, x, y, z):
        super().__init__(x, y)
        self.z = z


class Shadowed:
    x = "class x"

    def __init__(self, own):
        if own:
            self.x = "instance x"


@case((0,), (1,), (2,), (3,))
def attr_cache_across_types_and_shapes(k):
    pts = [Pt(1, 2), Pt3(3, 4, 5), Pt(6, 7), Pt3(8, 9, 10)]
    out = []
    for rep in range(3):
        for p in pts[k:] + pts[:k]:
            p.x = p.x + p.y * p.scale      # a load and a store of the same site per type
            out.append((type(p).__name__, p.x, p.y))
    extra = pts[k]
    extra.w = 1                            # a new attribute: the generic path
    extra.__dict__                         # then a made dict
    extra.x += 1
    out.append((extra.x, extra.w, sorted(vars(extra))))
    return out


@case((True,), (False,))
def attr_instance_shadows_class(own):
    s = Shadowed(own)
    first = s.x
    s.x = "set"
    second = s.x
    del s.x
    return first, second, s.x


@case((0,), (1,))
def attr_deleted_then_missing(k):
    p = Pt(k, 2)
    out = [p.x]
    del p.x
    try:
        out.append(p.x)
    except AttributeError as e:
        out.append(str(e))
    p.x = 5
    out.append(p.x)
    return out


@case((1,), (2,))
def attr_type_gains_a_descriptor(k):
    p = Pt(k, 3)
    before = p.x
    Pt.x = property(lambda self: "descr", lambda self, v: None)
    try:
        during = p.x
        p.x = 99                            # the setter, not the instance values
        during2 = p.x
    finally:
        del Pt.x
    return before, during, during2, p.x


# method calls through the per-site method cache (plain functions on the type):
# whatever can shadow or change the method must be seen

class Shape:
    def __init__(self, n):
        self.n = n

    def area(self):
        return ("shape", self.n)

    def scaled(self, k):
        return ("scaled", self.n * k)


class Square(Shape):
    def area(self):
        return ("square", self.n * self.n)


class Sneaky(Shape):
    def __getattribute__(self, name):
        if name == "area":
            return lambda: ("intercepted", object.__getattribute__(self, "n"))
        return object.__getattribute__(self, name)


@case((4,))
def method_calls_stay_exact(n):
    # fresh classes per run: an instance attribute named like a method stays in
    # the class's shared keys for good
    class Fresh(Shape):
        def area(self):
            return ("fresh", self.n)

    class Fresher(Fresh):
        pass

    out = []
    shapes = [Fresh(1), Fresher(2), Fresh(3), Sneaky(4), Square(5), Fresh(6)]
    for round_ in range(n):
        for s in shapes:
            out.append(s.area())
            out.append(s.scaled(round_))
        if round_ == 1:
            shapes[0].area = lambda: "instance attribute"      # shadows for this object
        if round_ == 2:
            shapes[2].__dict__["scaled"] = lambda k: ("dict", k)  # a made __dict__
    return out


@case((3,))
def method_shadowed_in_a_dict_of_its_own(n):
    class Pinger:
        def __init__(self, v):
            self.v = v

        def ping(self):
            return ("method", self.v)

    objs = [Pinger(1), Pinger(2)]
    out = []
    for round_ in range(n):
        for o in objs:
            out.append(o.ping())
        if round_ == 0:
            d = objs[1].__dict__     # past the shared keys' room it gets keys of its own
            d.update({f"k{i}": i for i in range(64)})
            d["ping"] = lambda: "own keys"
    return out


def _original_area(self):
    return ("shape", self.n)


@case((5,))
def method_changed_on_the_class(n):
    out = []
    s = Shape(7)
    try:
        for i in range(n):
            out.append(s.area())
            if i == 1:
                Shape.area = lambda self: ("replaced", self.n)
            if i == 2:
                del Shape.area
                try:
                    s.area()
                except AttributeError as e:
                    out.append(str(e))
                Shape.area = staticmethod(lambda: "static now")
            if i == 3:
                Shape.area = property(lambda self: lambda: ("via property", self.n))
    finally:
        Shape.area = _original_area
    return out


@case((3,))
def attribute_sites_over_many_layouts(n):
    # one load and one store site see up to seven types (past the cache's entries),
    # each holding `x` at another index; then types and objects change under them
    def layout(i):
        def __init__(self):
            for k in range(i):
                setattr(self, f"pad{k}", k)
            self.x = i
        return type(f"Layout{i}", (), {"__init__": __init__})

    classes = [layout(i) for i in range(7)]
    objs = [cls() for cls in classes]
    out = []
    for round_ in range(n):
        for o in objs:
            try:
                o.x = o.x + 10
                out.append(o.x)
            except (AttributeError, TypeError) as e:
                out.append((type(e).__name__, str(e)))
        if round_ == 0:
            classes[1].x = property(lambda self: "a data descriptor now")
        if round_ == 1:
            del objs[2].x
            objs[3].__dict__["x"] = "in a made dict"
            objs[4].__class__ = classes[5]
    out.append([getattr(o, "x", "missing") for o in objs])
    return out


# ---- __slots__ members read, written and deleted through the per-site caches ----
# (a T_OBJECT_EX member of a type with the generic getattro/setattro, at its
# offset, as LOAD_ATTR_SLOT / STORE_ATTR_SLOT; anything else generically)

class Pair:
    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b


class Triple(Pair):                 # more slots after the base's
    __slots__ = ("c",)

    def __init__(self, a, b, c):
        super().__init__(a, b)
        self.c = c


class PairDict:                     # slots and a __dict__
    __slots__ = ("a", "b", "__dict__")

    def __init__(self, a, b):
        self.a = a
        self.b = b
        self.extra = "in dict"


class PairProp(Pair):               # a property shadows the base's slot a
    __slots__ = ()

    @property
    def a(self):
        return ("prop a", Pair.a.__get__(self))

    @a.setter
    def a(self, v):
        Pair.a.__set__(self, ("via prop", v))


class PairHooked(Pair):             # its own __setattr__ / __getattribute__
    __slots__ = ("log",)

    def __init__(self, a, b):
        object.__setattr__(self, "log", [])
        super().__init__(a, b)

    def __setattr__(self, k, v):
        self.log.append(("set", k))
        object.__setattr__(self, k, v)

    def __getattribute__(self, k):
        if k == "b":
            return "hooked b"
        return object.__getattribute__(self, k)


class Foreign:                      # Pair's member on a class its instances are not of
    a = Pair.__dict__["a"]


def _slot_objects():
    return [Pair(1, 2), Triple(3, 4, 5), PairDict(6, 7), PairProp(8, 9), PairHooked(10, 11),
            Pt(12, 13)]


def _outcome(f):
    try:
        return "ok", f()
    except (AttributeError, TypeError) as e:
        return type(e).__name__, str(e), e.args


@case((0,), (2,), (5,))
def slots_across_types(k):
    objs = _slot_objects()
    objs = objs[k:] + objs[:k]
    out = []
    for rep in range(4):
        for o in objs:
            o.a = (rep, o.b)                # a store and a load per type
            out.append((type(o).__name__, o.a, o.b))
            if rep == 2 and type(o) is Triple:
                o.c = o.c * 2
                out.append(o.c)
    out.append(objs[0].__dict__ if hasattr(objs[0], "__dict__") else None)
    out.append([o.log for o in objs if type(o) is PairHooked])
    return out


@case((Pair(1, 2),), (Triple(1, 2, 3),), (PairDict(1, 2),), (PairProp(1, 2),))
def slots_unset_read_and_delete(o):
    # the same sites meet the member set (even rounds) and unset (odd ones)
    out = []
    for rep in range(6):
        try:
            out.append(o.a)
        except AttributeError as e:
            out.append((str(e), e.args, e.name, e.obj is o))
        try:
            del o.a                              # (a property without a deleter raises)
        except AttributeError as e:
            out.append((str(e), e.args))
        if rep % 2:
            o.a = rep                            # stored into the unset member
    return out


@case((PairProp(1, 2),))
def slots_delete_through_property(o):
    try:
        del o.a
    except AttributeError as e:
        return str(e), o.a


@case(())
def slots_read_only_and_foreign():
    out = []
    for r in (range(3), range(1, 9, 2), range(5)):
        out.append((r.start, r.stop, r.step))
        out.append(_outcome(lambda: setattr(r, "start", 7)))
    for rep in range(3):
        f = Foreign()
        out.append(_outcome(lambda: f.a))
        out.append(_outcome(lambda: setattr(f, "a", 1)))
    return out


def _foreign_store(f):
    f.a = 1


def _foreign_delete(f):
    del f.a


@case((0,), (1,), (2,))
def slots_foreign_member_direct(k):
    out = []
    for rep in range(3):
        f = Foreign()
        try:
            if k == 0:
                out.append(f.a)
            elif k == 1:
                f.a = rep
            else:
                del f.a
        except TypeError as e:
            out.append(str(e))
    return out


@case(())
def slots_class_changes_mid_loop():
    class K:
        __slots__ = ("a", "b")

    class Twin:                        # the same layout: __class__ may change to it
        __slots__ = ("a", "b")

        @property
        def kind(self):
            return "twin"

    member = K.__dict__["a"]
    o = K()
    out = []
    for i in range(12):
        if i == 3:                     # a property replaces the member
            K.a = property(lambda s: "prop", lambda s, v: out.append(("prop set", v)))
        elif i == 5:                   # the member again (the value it held is still there)
            K.a = member
        elif i == 7:
            o.__class__ = Twin
        elif i == 9:
            o.__class__ = K
        elif i == 10:
            del K.a                    # gone: a plain missing attribute
        o.a = i
        try:
            out.append((i, o.a, o.b if i else None))
        except AttributeError as e:
            out.append((i, str(e)))
        o.b = -i
    return out


@case(())
def slots_new_objects_filled_in_init():
    ps = [Triple(i, i * 2, i * 3) for i in range(20)]
    ps += [Pair(i, None) for i in range(5)]
    return [(p.a, p.b, getattr(p, "c", None)) for p in ps]


@case(())
def slots_values_freed_on_overwrite():
    log = []

    class Noisy:
        def __init__(self, k):
            self.k = k

        def __del__(self):
            log.append(self.k)

    p = Pair(Noisy(0), Noisy(1))
    for i in range(2, 8):
        p.a = Noisy(i)               # the previous one freed here, once
        log.append(("stored", i))
    del p.a
    log.append("deleted")
    p.a = Noisy(99)
    p.b = None
    return log
