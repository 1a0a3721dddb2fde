"""Comparisons, identity, membership, boolean operators, conditional expressions."""
from .harness import case

NAN = float("nan")
INF = float("inf")
BIG = 2 ** 100

CMP_PAIRS = [
    (1, 2), (2, 1), (2, 2), (-1, 1), (BIG, BIG + 1), (BIG, float(BIG)), (2 ** 53 + 1, float(2 ** 53)),
    (1, 1.0), (1.5, 1), (-0.0, 0.0), (NAN, NAN), (NAN, 1), (1, NAN), (INF, BIG), (10 ** 400, INF),
    (-INF, -(10 ** 400)), (True, 1), (False, 0.0), ("a", "b"), ("abc", "ab"), ("", ""),
    ([1, 2], [1, 3]), ([1, 2], [1, 2, 0]), ((1, "a"), (1, "b")), ((1, 2), [1, 2]),
    ({1}, {1, 2}), ({1, 2}, {1, 2}), (1, "1"), (None, None), (None, 0), ([NAN], [NAN]),
    ((NAN,), (NAN,)), ({"a": 1}, {"a": 1}), ({"a": 1}, {"a": 2}), (1 + 0j, 1), (b"a", "a"),
    ([1, "a"], [1, 2]),
]


def _try(f):
    try:
        return f()
    except TypeError as e:
        return "TypeError: " + str(e)


@case(*CMP_PAIRS)
def eq_ne(a, b):
    return a == b, a != b, b == a, b != a


@case(*CMP_PAIRS)
def lt(a, b):
    return a < b


@case(*CMP_PAIRS)
def le(a, b):
    return a <= b


@case(*CMP_PAIRS)
def gt(a, b):
    return a > b


@case(*CMP_PAIRS)
def ge(a, b):
    return a >= b


@case(*CMP_PAIRS)
def all_orders_caught(a, b):
    return [_try(lambda: a < b), _try(lambda: a <= b), _try(lambda: a > b), _try(lambda: a >= b)]


@case(*CMP_PAIRS)
def cmp_in_branch(a, b):
    # comparisons feeding branches directly (compare-and-jump fusion)
    out = []
    if a < b:
        out.append("lt")
    if a == b:
        out.append("eq")
    if not a > b:
        out.append("not gt")
    if a != b:
        out.append("ne")
    return out


@case((1, 2, 3), (3, 2, 1), (1, 1, 1), (1, 3, 2), (NAN, 1, 2), ("a", "b", "c"), (1, "x", 2))
def chained(a, b, c):
    return a < b < c, a <= b <= c, a < b > c, a == b == c, a != b != c, a < b == c


def noisy(tag, v, log):
    log.append(tag)
    return v


@case(([],), )
def chained_eval_once(log):
    r1 = noisy("a", 1, log) < noisy("b", 2, log) < noisy("c", 0, log) < noisy("d", 5, log)
    r2 = noisy("e", 3, log) > noisy("f", 4, log) > noisy("g", 0, log)
    r3 = 0 < noisy("h", 1, log) <= 1 == noisy("i", 1.0, log)
    return r1, r2, r3


class Sizer:
    def __init__(self, n):
        self.n = n

    def __eq__(self, o):
        print("eq", self.n, type(o).__name__)
        if isinstance(o, Sizer):
            return self.n == o.n
        return NotImplemented

    def __lt__(self, o):
        print("lt", self.n)
        if isinstance(o, Sizer):
            return self.n < o.n
        return NotImplemented

    def __gt__(self, o):
        print("gt", self.n)
        if isinstance(o, Sizer):
            return self.n > o.n
        return NotImplemented

    __hash__ = object.__hash__


class Weird:
    def __eq__(self, o):
        return "yes"

    def __ne__(self, o):
        return 0

    def __lt__(self, o):
        return [1]

    def __bool__(self):
        raise ValueError("no bool for you")

    __hash__ = None


@case((Sizer(1), Sizer(2)), (Sizer(2), Sizer(2)), (Sizer(1), 5), (5, Sizer(1)))
def user_cmp(a, b):
    return [a == b, a != b, _try(lambda: a < b), _try(lambda: a > b), _try(lambda: a <= b)]


@case((Weird(), 1), (1, Weird()))
def weird_cmp(a, b):
    out = [a == b, a != b, _try(lambda: a < b)]
    try:
        if a == b and b == a:
            out.append("both")
    except ValueError as e:
        out.append(str(e))
    return out


@case((Weird(),))
def truth_raises(w):
    if w:
        return 1
    return 2


@case((1, [1, 2, 3]), (4, [1, 2, 3]), ("a", "cat"), ("", "x"), ("at", "cat"), (1, {1: 2}),
      (2, {1: 2}), (1, {1, 2}), (NAN, [NAN]), (float("nan"), [NAN]), (1.0, [1]), (3, range(5)),
      (10, range(0, 20, 3)), (1, 5), ([1], {1: 2}), (b"a", b"abc"), (1, iter([0, 1])),
      ("a", None))
def membership(x, c):
    return x in c, x not in c


class Contains:
    def __contains__(self, x):
        print("contains", x)
        return x  # truthiness of the return value


class IterOnly:
    def __iter__(self):
        return iter([1, 2, 3])


class GetItemOnly:
    def __getitem__(self, i):
        if i > 4:
            raise IndexError(i)
        return i * 10


@case((1, Contains()), (0, Contains()), ("", Contains()), (2, IterOnly()), (7, IterOnly()),
      (30, GetItemOnly()), (35, GetItemOnly()), (1, object()))
def membership_protocols(x, c):
    return x in c, x not in c


@case((None,), (0,), ([],), ((),), ("",), (...,), (NotImplemented,))
def identity(x):
    y = x
    return x is None, x is not None, x is y, x is not y, x is ..., type(x) is list, [] is []


@case((1, 2), (0, 2), ("", "b"), ([], [1]), (None, 0), (NAN, 1), (0.0, -0.0))
def and_or_values(a, b):
    return a and b, a or b, not a and b, a or b and a, (a and b) or "z", a and b or a


def side(tag, v, log):
    log.append(tag)
    return v


@case((0, []), (1, []), (2, []))
def short_circuit(n, log):
    r = side("a", n > 0, log) and side("b", n > 1, log) or side("c", n, log)
    s = side("d", n, log) or side("e", 0, log) and side("f", 1, log)
    return r, s


@case((1,), (0,), (-1,), (None,), ("",), (NAN,))
def conditional_expr(x):
    a = "pos" if x and x > 0 else "neg" if x and x < 0 else "zero-ish"
    b = (lambda: 1) if x else (lambda: 2)
    return a, b()


@case((3, 5), (5, 3), (3, 3))
def bool_in_branches(a, b):
    out = []
    if a < b and b < 10:
        out.append(1)
    if a > b or b > 4:
        out.append(2)
    if not (a == b) and (a or b):
        out.append(3)
    while a < b and a != 4:
        a += 1
        out.append(a)
    return out


@case(([1, 2, 3],), ([],), ([0, 0],), ([None, 1],))
def any_all(xs):
    return any(xs), all(xs), any(x for x in xs if x), max(xs, default=None), sorted(xs, key=lambda x: x or 0)


@case(((1, 2), (1, 2)), ([1, [2, [3]]], [1, [2, [3]]]), ({"k": [1]}, {"k": [1]}),
      ({"a": 1, "b": 2}, {"b": 2, "a": 1}))
def deep_equality(a, b):
    return a == b, a is b, a != b


@case((3,), (5,), (7,))
def compare_with_constants(n):
    return (n == 5, n != 5, n < 5, n <= 5, n > 5, n >= 5, 5 < n, "a" < "b",
            n in (3, 7), n not in {5}, (n == 5) is False)
