"""Class definitions inside functions: methods, inheritance, super, dunders, metaclasses."""
from .harness import case


class Base:
    kind = "base"

    def __init__(self, v):
        self.v = v

    def describe(self):
        return f"{self.kind}:{self.v}"


@case((1,), ("x",))
def define_and_use_class(v):
    class Point:
        """A point."""
        dims = 2

        def __init__(self, x, y=0):
            self.x = x
            self.y = y

        def norm1(self):
            return abs(self.x) + abs(self.y)

        def __repr__(self):
            return f"Point({self.x!r}, {self.y!r})"

        def __eq__(self, other):
            return isinstance(other, Point) and (self.x, self.y) == (other.x, other.y)

        __hash__ = None
    p = Point(v, y=v)
    return (p, Point.dims, Point.__doc__, Point.__name__, Point.__qualname__, Point.__module__,
            p == Point(v, v), p != Point(0), repr(p), p.norm1() if isinstance(v, int) else None)


@case(())
def inheritance_and_super():
    class Child(Base):
        kind = "child"

        def __init__(self, v, w):
            super().__init__(v)
            self.w = w

        def describe(self):
            return "child(" + super().describe() + f", {self.w})"

    class GrandChild(Child):
        def describe(self):
            return "gc/" + super().describe()
    g = GrandChild(1, 2)
    return (g.describe(), [k.__name__ for k in GrandChild.__mro__], isinstance(g, Base),
            issubclass(GrandChild, Child), super(Child, g).describe())


@case(())
def super_explicit_and_classmethod():
    class A:
        @classmethod
        def make(cls):
            return cls.__name__

    class B(A):
        @classmethod
        def make(cls):
            return "B+" + super().make()
    return B.make(), B().make(), super(B, B).make()


@case(())
def diamond_mro():
    log = []

    class A:
        def hi(self):
            log.append("A")

    class B(A):
        def hi(self):
            log.append("B")
            super().hi()

    class Cc(A):
        def hi(self):
            log.append("C")
            super().hi()

    class D(B, Cc):
        def hi(self):
            log.append("D")
            super().hi()
    D().hi()
    return log, [k.__name__ for k in D.__mro__]


@case(())
def bad_mro():
    class A:
        pass

    class B(A):
        pass

    class Cc(A, B):
        pass


@case(())
def properties_and_descriptors():
    class Temp:
        def __init__(self):
            self._c = 0

        @property
        def c(self):
            return self._c

        @c.setter
        def c(self, v):
            if v < -273:
                raise ValueError("too cold")
            self._c = v

        @c.deleter
        def c(self):
            self._c = None

    class Desc:
        def __get__(self, obj, typ=None):
            return ("desc", obj is None)

        def __set_name__(self, owner, name):
            self.name = name

    class Holder:
        d = Desc()
    t = Temp()
    t.c = 25
    out = [t.c]
    try:
        t.c = -300
    except ValueError as e:
        out.append(str(e))
    del t.c
    out.append(t.c)
    out.append(Holder().d)
    out.append(Holder.d)
    out.append(Holder.__dict__["d"].name)
    try:
        Holder().nothing
    except AttributeError as e:
        out.append(str(e))
    return out


@case(())
def dunder_methods():
    class Bag:
        def __init__(self, *items):
            self.items = list(items)

        def __len__(self):
            return len(self.items)

        def __iter__(self):
            return iter(self.items)

        def __contains__(self, x):
            return x in self.items

        def __getitem__(self, i):
            return self.items[i]

        def __bool__(self):
            return bool(self.items)

        def __add__(self, o):
            return Bag(*self.items, *o.items)

        def __str__(self):
            return "Bag" + str(self.items)

        def __hash__(self):
            return 7

        def __eq__(self, o):
            return type(o) is Bag and self.items == o.items

        def __call__(self, k):
            return self.items[k]
    b = Bag(1, 2) + Bag(3)
    return (len(b), list(b), 2 in b, b[0], b[-1], bool(Bag()), str(b), b(1), hash(b), b == Bag(1, 2, 3),
            {b: 1}[Bag(1, 2, 3)], sorted(b, reverse=True), [*b], max(b))


@case(())
def class_attributes_shared_and_instance():
    class Counter:
        created = 0
        registry = []

        def __init__(self):
            Counter.created += 1
            self.registry.append(Counter.created)
    a = Counter()
    b = Counter()
    b.created = "shadow"
    return Counter.created, a.created, b.created, Counter.registry, a.registry is b.registry


@case(())
def class_with_slots_and_dataclass():
    import dataclasses

    @dataclasses.dataclass(order=True)
    class Item:
        name: str
        qty: int = 0
        tags: list = dataclasses.field(default_factory=list)

    class Slotted:
        __slots__ = ("a",)
    s = Slotted()
    s.a = 1
    try:
        s.b = 2
    except AttributeError as e:
        err = str(e)
    i = Item("x", 2)
    return (i, repr(i), i == Item("x", 2), Item("a") < Item("b"), dataclasses.asdict(i), s.a, err,
            [f.name for f in dataclasses.fields(Item)])


@case(())
def class_annotations():
    class Ann:
        x: int
        y: str = "y"
        z = 3
    return Ann.__annotations__, Ann.y, hasattr(Ann, "x")


@case(())
def metaclass_and_init_subclass():
    log = []

    class Meta(type):
        def __new__(mcls, name, bases, ns, **kw):
            log.append(("meta new", name, sorted(k for k in ns if not k.startswith("__")), kw))
            return super().__new__(mcls, name, bases, ns)

        def __call__(cls, *a, **k):
            log.append(("meta call", cls.__name__))
            return super().__call__(*a, **k)

    class Plugin:
        def __init_subclass__(cls, tag=None, **kw):
            super().__init_subclass__(**kw)
            log.append(("init_subclass", cls.__name__, tag))

    class A(metaclass=Meta, flag=True):
        def m(self):
            return 1

    class P(Plugin, tag="t1"):
        pass
    A()
    return log, type(A).__name__


@case(())
def class_decorator_and_class_body_execution():
    log = []

    def register(cls):
        log.append(cls.__name__)
        cls.registered = True
        return cls

    @register
    class R:
        log.append("body runs")
        for i in range(2):
            log.append(i)
        del i
    return log, R.registered, "i" in R.__dict__


@case(())
def class_body_scoping():
    x = "enclosing"

    class K:
        x = "class"
        y = x
        z = [x for _ in range(1)]

        def f(self):
            return x
    return K.y, K.z, K().f()


@case(())
def class_namespace_locals_and_qualname():
    class Outer:
        class Inner:
            def m(self):
                return type(self).__qualname__
        names = sorted(k for k in locals() if not k.startswith("__"))
    return Outer.Inner().m(), Outer.names, Outer.__qualname__


@case(())
def instances_compare_and_hash_defaults():
    class Plain:
        pass
    a, b = Plain(), Plain()
    return a == a, a == b, a != b, hash(a) == hash(a), len({a, b, a}), bool(a)


@case(())
def new_and_init():
    class Singleton:
        _inst = None

        def __new__(cls, *a):
            if cls._inst is None:
                cls._inst = super().__new__(cls)
            return cls._inst

        def __init__(self, v):
            self.v = v
    a = Singleton(1)
    b = Singleton(2)
    return a is b, a.v


@case(())
def class_errors():
    out = []

    class A:
        def __init__(self):
            pass
    try:
        A(1)
    except TypeError as e:
        out.append(str(e))
    try:
        object.__new__(int)
    except TypeError as e:
        out.append(str(e))
    try:
        class B(1):
            pass
    except TypeError as e:
        out.append(str(e))
    try:
        class D(A, A):
            pass
    except TypeError as e:
        out.append(str(e))
    return out


@case(())
def abstract_classes():
    import abc

    class Shape(abc.ABC):
        @abc.abstractmethod
        def area(self):
            ...

    class Sq(Shape):
        def __init__(self, s):
            self.s = s

        def area(self):
            return self.s ** 2
    try:
        Shape()
    except TypeError as e:
        err = str(e)
    return Sq(3).area(), err


@case(())
def enum_in_function():
    import enum

    class Color(enum.Enum):
        RED = 1
        GREEN = 2
    return Color.RED, Color(2).name, [c.value for c in Color], Color["GREEN"] is Color.GREEN


@case(())
def classmethod_alternate_constructor_and_staticmethod_access():
    class Date:
        def __init__(self, y, m):
            self.y, self.m = y, m

        @classmethod
        def parse(cls, s):
            y, m = map(int, s.split("-"))
            return cls(y, m)

        @staticmethod
        def valid(m):
            return 1 <= m <= 12

    class Sub(Date):
        pass
    d = Sub.parse("2024-05")
    return type(d).__name__, d.y, d.m, Date.valid(13), d.valid(5)


@case(())
def class_cell_and_dunder_class():
    class A:
        def who(self):
            return __class__.__name__

        def sup(self):
            return super().__repr__ is not None
    return A().who(), A().sup()


@case(())
def operator_overloading_reflected_on_subclass():
    class N:
        def __init__(self, v):
            self.v = v

        def __add__(self, o):
            return ("N.add", self.v, getattr(o, "v", o))

        def __radd__(self, o):
            return ("N.radd", self.v, getattr(o, "v", o))

    class M(N):
        def __radd__(self, o):
            return ("M.radd", self.v, getattr(o, "v", o))
    return N(1) + M(2), 1 + N(3), N(1) + 5, M(1) + N(2)


@case(())
def getattr_and_setattr_dunder_interplay():
    class Proxy:
        def __init__(self, target):
            object.__setattr__(self, "_t", target)

        def __getattr__(self, k):
            return getattr(self._t, k)

        def __setattr__(self, k, v):
            setattr(self._t, k, v)

    class T:
        pass
    t = T()
    p = Proxy(t)
    p.x = 5
    return t.x, p.x, "x" in vars(p), sorted(vars(t))


# Class bodies run compiled in the defining function's module; __build_class__'s
# work (bases, metaclass, __prepare__, __classcell__) keeps CPython's semantics.
@case((3,))
def class_body_reads_enclosing_and_own_names(n):
    k = n * 2

    class A:
        x = k                 # LOAD_CLASSDEREF: not in the namespace, so the cell
        j = 5
        y = j
        k = 7                 # now the namespace has it
        z = k
        comp = [k + i for i in range(2)]     # the comprehension sees the cell, not A.k

        def m(self):
            return __class__.__name__, k
    return A.x, A.y, A.z, A.comp, A().m(), sorted(n for n in vars(A) if not n.startswith("__"))


@case(())
def class_statement_errors():
    out = []

    class M1(type):
        pass

    class M2(type):
        pass
    A, B = M1("A", (), {}), M2("B", (), {})
    try:
        class C(A, B):
            pass
    except TypeError as e:
        out.append(str(e))

    class BadPrepare(type):
        @classmethod
        def __prepare__(mcs, name, bases):
            return 42
    try:
        class D(metaclass=BadPrepare):
            pass
    except TypeError as e:
        out.append(str(e))

    class Entries:
        def __mro_entries__(self, bases):
            return (int,)

    class E(Entries(), metaclass=type):
        pass
    out.append((E.__bases__, E.__orig_bases__[0].__class__.__name__))

    class BadEntries:
        def __mro_entries__(self, bases):
            return [int]
    try:
        class F(BadEntries()):
            pass
    except TypeError as e:
        out.append(str(e))

    class Swallow(type):
        def __new__(mcs, name, bases, ns):
            ns.pop("__classcell__", None)
            return super().__new__(mcs, name, bases, ns)
    try:
        class G(metaclass=Swallow):
            def f(self):
                return __class__
    except RuntimeError as e:
        out.append(str(e))
    try:
        class H(metaclass=lambda name, bases, ns, **kw: (name, sorted(ns), kw), extra=1):
            q = 1
        out.append(H)
    except TypeError as e:
        out.append(str(e))
    try:
        class I:
            a = 1
            b = 1 / 0
    except ZeroDivisionError as e:
        out.append(str(e))
    try:
        class J(metaclass=None):
            pass
    except TypeError as e:
        out.append(str(e))
    return out


@case(())
def class_statement_with_build_class_replaced():
    import builtins
    seen = []
    original = builtins.__build_class__

    def spy(func, name, *bases, **kw):
        seen.append((name, len(bases), sorted(kw)))
        return original(func, name, *bases, **kw)
    builtins.__build_class__ = spy
    try:
        class K(int):
            v = 1
    finally:
        builtins.__build_class__ = original
    return seen, K.v, K.__bases__


@case((2,))
def class_prepare_ordered_namespace_and_kwargs(n):
    log = []

    class Meta(type):
        @classmethod
        def __prepare__(mcs, name, bases, **kw):
            log.append(("prepare", name, kw))
            return {"preset": n}

        def __new__(mcs, name, bases, ns, **kw):
            log.append(("new", name, sorted(ns), kw))
            return super().__new__(mcs, name, bases, ns)

        def __init__(cls, name, bases, ns, **kw):
            super().__init__(name, bases, ns)

    class P(metaclass=Meta, tag=n):
        a = preset + 1
    return P.a, log


@case(())
def class_prepare_returns_odd_namespaces():
    import collections
    out = []
    for make in (collections.deque, list, collections.OrderedDict, lambda: "text"):
        class Meta(type):
            @classmethod
            def __prepare__(mcs, name, bases, make=make):
                return make()

            def __new__(mcs, name, bases, ns):
                return ("made", type(ns).__name__)
        try:
            class K(metaclass=Meta):
                pass
            out.append(K)
        except Exception as e:         # TypeError from __build_class__ or the body
            out.append((type(e).__name__, str(e)))
    return out


class _NoDelNamespace(dict):
    def __delitem__(self, k):
        raise RuntimeError("refused")


class _MetaNoDel(type):
    @classmethod
    def __prepare__(mcls, name, bases):
        return _NoDelNamespace()


@case(())
def class_body_del_error_is_name_error():
    # DELETE_NAME turns any error of the namespace into NameError
    class K(metaclass=_MetaNoDel):
        x = 1
        del x
    return K



class _NoneEntries:
    __mro_entries__ = None        # called by __build_class__ (and fails), not skipped


@case()
def mro_entries_none():
    class B(_NoneEntries()):
        pass
    return B

