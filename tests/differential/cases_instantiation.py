"""Calling classes: the compiled fast path for plain classes (object.__new__ and a
Python __init__) against type's own call, and everything it must leave alone."""
import abc
import dataclasses
import sys

from .harness import case


class Plain:
    def __init__(self, x, y=2, *, z=3):
        self.x, self.y, self.z = x, y, z

    def __repr__(self):
        return f"Plain({self.x!r}, {self.y!r}, {self.z!r})"


class Child(Plain):        # __init__ inherited
    pass


class Bare:                 # no __init__: object's
    pass


class ReturnsValue:
    def __init__(self, v):
        self.v = v
        return v            # None is fine; anything else is a TypeError


class Raises:
    def __init__(self, v):
        if v < 0:
            raise ValueError(f"negative {v}")
        self.v = v


class CustomNew:
    def __new__(cls, v):
        print("new", v)
        if v == 0:
            return "not an instance"      # __init__ is then skipped
        return super().__new__(cls)

    def __init__(self, v):
        print("init", v)
        self.v = v


class Meta(type):
    def __call__(cls, *args):
        print("meta call", args)
        return super().__call__(*args)


class WithMeta(metaclass=Meta):
    def __init__(self, a):
        self.a = a


class SubList(list):
    def __init__(self, n):
        super().__init__(range(n))
        self.n = n


class Abstract(abc.ABC):
    @abc.abstractmethod
    def f(self):
        ...

    def __init__(self):
        print("never")


class Slotted:
    __slots__ = ("a", "b")

    def __init__(self, a):
        self.a = a


@dataclasses.dataclass
class Data:
    a: int
    b: str = "b"


class Counted:
    made = 0

    def __init__(self):
        type(self).made += 1
        print("made", Counted.made)


def _reset_counted():
    Counted.made = 0


def _outcome(thunk):
    try:
        return thunk()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)


@case((1,), ("s",), (None,))
def plain_calls(v):
    out = []
    for i in range(3):
        out.append(Plain(v))
        out.append(Plain(v, i, z=-i))
        out.append(Child(v, y=i))
    out.append(_outcome(lambda: Plain()))
    out.append(_outcome(lambda: Plain(1, 2, 3)))
    out.append(_outcome(lambda: Plain(1, w=2)))
    return out


@case(())
def errors_in_and_around_init():
    out = []
    for v in (1, -1, 2):
        try:
            out.append(Raises(v).v)
        except ValueError as e:
            out.append(str(e))
    for v in (None, 5, "x"):
        try:
            out.append(ReturnsValue(v).v)
        except TypeError as e:
            out.append(str(e))
    out.append(_outcome(lambda: Bare(1)))
    out.append(type(Bare()).__name__)
    out.append(_outcome(lambda: Abstract()))
    return out


@case(())
def raise_from_init_traceback():
    return Raises(-5)


@case(())
def other_kinds_of_class():
    out = []
    for v in (1, 0, 2):
        out.append(CustomNew(v) if v == 0 else CustomNew(v).v)
    out.append(WithMeta(4).a)
    out.append(SubList(3) + [SubList(2).n])
    s = Slotted(1)
    out.append((s.a, _outcome(lambda: s.b)))
    out.append(Data(1))
    out.append(Data(2, "c"))
    out.append(int("12") + len(list((1, 2))) + len(str(3)))
    return out


@case((4,), resets=_reset_counted)
def one_site_several_classes(n):
    out = []
    for cls in (Counted, Plain, Counted, Bare, Counted) * n:
        obj = cls() if cls is not Plain else cls(n)
        out.append(type(obj).__name__)
    return out, Counted.made


@case(())
def init_rebound_between_calls():
    out = []
    for i in range(6):
        out.append(Plain(i).y)
        if i == 2:
            Plain.__init__ = lambda self, x, y=7: setattr(self, "y", y)
        if i == 4:
            del Plain.__init__
            Plain.__init__ = _plain_init
    Plain.__init__ = _plain_init
    return out


_plain_init = Plain.__init__


class Node:
    def __init__(self, depth):
        self.child = Node(depth - 1) if depth else None


@case((50,), (10_000,), exc_type_only=True)
def recursion_through_constructors(depth):
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(400)
        n = Node(depth)
        count = 0
        while n is not None:
            count += 1
            n = n.child
        return count
    finally:
        sys.setrecursionlimit(limit)


class Link:
    def __init__(self, d):
        self.inner = chain_probe(d - 1) if d > 1 else None


def _room(n=0):
    """How many more calls deep the recursion limit allows from here."""
    try:
        return _room(n + 1)
    except RecursionError:
        return n


def _first_failure(headroom):
    """The first depth at which chain_probe(d) hits the recursion limit, with the
    limit ``headroom`` levels past this call's; and the error's message. (The room
    is measured by recursing: compiled callers have no frames to count.)"""
    limit = sys.getrecursionlimit()
    try:
        sys.setrecursionlimit(limit - _room() + headroom)
        for d in range(1, 200):
            try:
                chain_probe(d)
            except RecursionError as e:
                return d, str(e)
        return None
    finally:
        sys.setrecursionlimit(limit)


@case((0,), install=True)
def chain_probe(d):
    # d == 0: find where the recursion through Link's constructor fails; each level
    # is this function, type's call of Link and Link.__init__ (the compiled call of
    # a class counts a level for type's call, as the interpreter does)
    if d == 0:
        return [_first_failure(k) for k in (40, 41, 42, 60)]
    return Link(d)
