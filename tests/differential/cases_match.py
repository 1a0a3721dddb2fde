"""match statements: literal, capture, wildcard, value, sequence, mapping, class,
guards, or-patterns, as-patterns."""
import collections
import enum

from .harness import case


class Color(enum.Enum):
    RED = 1
    GREEN = 2


class Point:
    __match_args__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Point3(Point):
    __match_args__ = ("x", "y", "z")

    def __init__(self, x, y, z):
        super().__init__(x, y)
        self.z = z


class NoArgs:
    pass


class BadMatchArgs:
    __match_args__ = ["a"]  # must be a tuple

    a = 1


LITERALS = [(0,), (1,), (2,), ("hello",), (b"b",), (None,), (True,), (False,), (1.0,), (-1,),
            (3 + 0j,), ("other",), (0.0,), (2 ** 70,), (-0.0,)]


@case(*LITERALS)
def match_literals(x):
    match x:
        case 0:
            return "zero"
        case 1:
            return "one"
        case "hello":
            return "greeting"
        case b"b":
            return "bytes"
        case None:
            return "none"
        case True:
            return "true"
        case False:
            return "false"
        case -1:
            return "minus one"
        case 3 + 0j:
            return "complex"
        case 1180591620717411303424:
            return "big"
        case _:
            return "default"


@case(*LITERALS)
def match_capture_and_or(x):
    match x:
        case 0 | 1 | 2:
            return "small", x
        case str() | bytes():
            return "text"
        case (True | False) as b:
            return "bool", b
        case y:
            return "captured", y


@case((Color.RED,), (Color.GREEN,), (1,), ("RED",))
def match_value_patterns(c):
    match c:
        case Color.RED:
            return "red"
        case Color.GREEN:
            return "green"
        case _:
            return "not a color"


SEQS = [([],), ([1],), ([1, 2],), ([1, 2, 3],), ((1, 2, 3, 4, 5),), ("ab",), ([[1, 2], 3],),
        (range(3),), ({1, 2},), (collections.deque([9, 8]),), (b"xy",), ([0, "x"],), ((1, [2, (3, 4)]),),
        ({"a": 1},), (iter([1]),)]


@case(*SEQS)
def match_sequences(s):
    match s:
        case []:
            return "empty"
        case [x]:
            return "one", x
        case [0, str() as name]:
            return "zero and name", name
        case [[a, b], c]:
            return "nested", a, b, c
        case [x, y]:
            return "two", x, y
        case (1, [2, (3, w)]):
            return "deep", w
        case [first, *middle, last]:
            return "star", first, middle, last
        case _:
            return "no"


@case(*SEQS)
def match_star_wildcards(s):
    match s:
        case [*_]:
            return "any sequence", len(s)
        case _:
            return "not a sequence"


@case(([1, 2, 3, 4],), ((1,),), ([1, 2],))
def match_star_positions(s):
    match s:
        case [*rest, 4]:
            return "ends with 4", rest
        case [1, *_, 2] if len(s) > 1:
            return "1..2"
        case [*init, _]:
            return "init", init


MAPS = [({"action": "go", "dir": "north"},), ({"action": "go"},), ({"action": "stop", "extra": 1, "more": 2},),
        ({"x": 1, "y": 2},), ({},), ([("action", "go")],), (collections.OrderedDict(action="look"),),
        ({1: "one", "k": None},), ("not a map",)]


@case(*MAPS)
def match_mappings(m):
    match m:
        case {"action": "go", "dir": d}:
            return "go", d
        case {"action": "stop", **rest}:
            return "stop", rest
        case {"action": str(a)}:
            return "action", a
        case {"x": x, "y": y} if x < y:
            return "xy", x, y
        case {1: v, "k": None}:
            return "int key", v
        case {}:
            return "some mapping", len(m)
        case _:
            return "not mapping"


class Getter(dict):
    def get(self, k, default=None):
        print("custom get", k)
        return super().get(k, default)


@case((Getter(a=1),), (Getter(),))
def match_mapping_uses_get(m):
    match m:
        case {"a": v}:
            return v
    return "nope"


@case((Point(0, 0),), (Point(1, 0),), (Point(0, 5),), (Point(2, 3),), (Point3(1, 2, 3),), (NoArgs(),),
      ((0, 0),), (5,))
def match_classes(p):
    match p:
        case Point(0, 0):
            return "origin"
        case Point(x=0, y=yy):
            return "on y axis", yy
        case Point(xx, 0):
            return "on x axis", xx
        case Point3(_, _, z=zz) if zz > 2:
            return "3d", zz
        case Point(x, y) if x < y:
            return "above diagonal", x, y
        case NoArgs():
            return "noargs instance"
        case _:
            return "other"


@case((1,), ("s",), (1.5,), ([1],), ({"a": 1},), ((1, 2),), (True,), (None,), (b"x",), (frozenset(),))
def match_builtin_classes(v):
    match v:
        case bool(b):
            return "bool", b
        case int(i):
            return "int", i
        case str(s) | bytes(s):
            return "str/bytes", s
        case float(f):
            return "float", f
        case list([x]):
            return "list1", x
        case dict({"a": a}):
            return "dict", a
        case tuple((a, b)):
            return "tuple", a, b
        case frozenset():
            return "fs"
        case _:
            return "other"


@case((Point(1, 2),), (NoArgs(),))
def match_class_errors(p):
    match p:
        case Point(1, 2, 3):
            return "too many"
        case NoArgs(1):
            return "noargs positional"
    return "none"


@case((BadMatchArgs(),),)
def match_bad_match_args(p):
    match p:
        case BadMatchArgs(a):
            return a


@case((5,),)
def match_not_a_class(p):
    not_a_class = 3
    match p:
        case not_a_class.real:
            return "value pattern on attribute"
    return "no"


@case((Point(1, 1),), (Point(3, 4),))
def match_keyword_attr_missing(p):
    match p:
        case Point(nonexistent=1):
            return "impossible"
        case Point(x=1, y=1):
            return "ones"
    return "fallthrough"


@case(([1, 2],), ([3, [4, 5]],), ("x",), (7,))
def match_as_patterns(v):
    match v:
        case [1, 2] as whole:
            return "whole", whole
        case [a, [b, c] as inner] as outer:
            return a, b, c, inner, outer
        case (str() | int()) as scalar:
            return "scalar", scalar


@case((0,), (5,), (15,), (-3,))
def match_guards_with_side_effects(n):
    log = []

    def check(tag, v):
        log.append(tag)
        return v
    match n:
        case x if check("g1", x < 0):
            r = "neg"
        case x if check("g2", x == 0):
            r = "zero"
        case x if check("g3", x < 10):
            r = "small"
        case _:
            r = "big"
    return r, log


@case(("quit",), ("go north",), ("go",), ("drop a b c",), ("",))
def match_command_parser(cmd):
    match cmd.split():
        case ["quit"]:
            return "bye"
        case ["go", direction]:
            return "going " + direction
        case ["drop", *objs]:
            return "dropping", objs
        case []:
            return "nothing"
        case _:
            return "unknown"


@case((1,), (2,))
def match_no_case_matches(x):
    match x:
        case 5:
            return "five"
    return "after match"


@case(((1, 2),), ([1, 2, 3],))
def match_bindings_survive(v):
    match v:
        case (a, b):
            pass
        case (a, b, c):
            pass
    return a, b


@case((("point", 1, 2),), (("circle", (0, 0), 5),), (("rect", (0, 0), (1, 1)),), (("other",),))
def match_tagged_tuples(shape):
    match shape:
        case ("point", x, y):
            return "pt", x + y
        case ("circle", (cx, cy), r) if r > 0:
            return "circle", cx, cy, r
        case ("rect", (x0, y0), (x1, y1)):
            return "rect", (x1 - x0) * (y1 - y0)
        case (kind, *_):
            return "unknown kind", kind


@case(({"type": "user", "name": "ann", "roles": ["admin", "dev"]},), ({"type": "user", "name": "bob", "roles": []},),
      ({"type": "group", "members": [{"name": "x"}]},))
def match_nested_json(doc):
    match doc:
        case {"type": "user", "name": str(name), "roles": [first, *_]}:
            return name, first
        case {"type": "user", "name": name}:
            return name, None
        case {"type": "group", "members": [{"name": n}, *_]}:
            return "group of", n


class _TupleSub(tuple):
    pass


class _ArgsSub:
    __match_args__ = _TupleSub(("a",))
    a = 1


class _ArgsNone:
    __match_args__ = None
    a = 1


class _StrSub(str):
    pass


class _ArgsStrSub:
    __match_args__ = (_StrSub("a"),)
    a = 1


class _Holder:
    not_a_type = 5


@case((_ArgsSub(),), (_ArgsNone(),), (_ArgsStrSub(),), (5,))
def match_class_rules(o):
    # exact tuples of exact strs only; a non-type pattern is "must be a type"
    match o:
        case _ArgsSub(x) | _ArgsNone(x) | _ArgsStrSub(x):
            return x
        case _Holder.not_a_type():
            return "int?"
    return "none"


@case(([1],), (__import__("collections").deque([1]),))
def match_class_names_c_types(o):
    import collections
    match o:
        case collections.deque(a):    # 'collections.deque() accepts 0 ...'
            return a
    return "no"


class _NoGet:
    def __getitem__(self, k):
        return 1

    def __len__(self):
        return 1

    def __iter__(self):
        return iter(["a"])


__import__("collections.abc").abc.Mapping.register(_NoGet)


@case((_NoGet(),), ({"a": 1},))
def match_mapping_needs_get(m):
    match m:
        case {"a": 1}:
            return "matched"
        case _:
            return "no"
