"""Arithmetic: binary, in-place and unary operators on ints, floats, mixed, user types."""
from .harness import case

NAN = float("nan")
INF = float("inf")
BIG = 2 ** 100
I63 = 2 ** 63
I62 = 2 ** 62

# operand pairs for + - * and comparisons-free ops; no zero divisors here
PAIRS = [
    (7, 3), (-7, 3), (7, -3), (-7, -3), (0, 5), (1, 1),
    (BIG, 3), (-BIG, 7), (BIG, -BIG), (I63 - 1, 1), (-I63, -1), (I62, I62), (I63, I63),
    (7.5, 2), (-0.0, 0.0), (0.0, -0.0), (-0.0, -0.0), (NAN, 1), (INF, 1), (INF, -INF),
    (3, 2.5), (2.5, 3), (True, 2), (True, True), (False, 1.5), (1e308, 1e308),
    (BIG, 1.5), (3 + 4j, 2), (1.5, 2j),
]

DIV_PAIRS = [
    (7, 3), (-7, 3), (7, -3), (-7, -3), (0, 5), (1, 1), (6, 3),
    (BIG, 3), (-BIG, 7), (BIG, -BIG), (-I63, -1), (I63 - 1, -1), (-I63, 1),
    (7.5, 2), (-7.5, 2), (7.5, -2), (-0.0, 1.0), (0.0, -1.0), (5.0, INF), (-5.0, INF),
    (NAN, 1), (INF, 2), (3, 2.5), (True, 2), (10 ** 30, 7.0), (1, 3),
    (7, 0), (7.0, 0), (0, 0.0), (BIG, 0), (True, False), (-0.0, 0.0), (1e308, 1e-308),
]


@case(*PAIRS)
def add(a, b):
    return a + b


@case(*PAIRS)
def sub(a, b):
    return a - b


@case(*PAIRS)
def mul(a, b):
    return a * b


@case(*[p for p in DIV_PAIRS])
def truediv(a, b):
    return a / b


@case(*[p for p in DIV_PAIRS if not isinstance(p[0], complex)])
def floordiv(a, b):
    return a // b


@case(*[p for p in DIV_PAIRS if not isinstance(p[0], complex)])
def mod(a, b):
    return a % b


@case(*[p for p in DIV_PAIRS if not isinstance(p[0], complex)])
def divmod_(a, b):
    return divmod(a, b)


@case((2, 10), (2, 100), (-2, 3), (2, -1), (-2, -2), (0, 0), (0, -1), (0.0, -1),
      (2.0, 0.5), (-8, 1 / 3), (-8.0, 0.5), (10, 400), (1.0001, 10 ** 6), (10.0, 400),
      (7, 2.0), (True, 5), (NAN, 0), (1, NAN), (INF, -1), (-INF, 3), (2, I63 // I62),
      (3, 64), (-3, 63), (2j, 2), (0.0, 0), (3, -3))
def power(a, b):
    return a ** b


@case((2, 10, 7), (3, -1, 7), (2, 100, 1), (BIG, BIG, 1000003), (2, 3, 0), (2.0, 3, 5),
      (-3, 3, 5))
def power3(a, b, m):
    return pow(a, b, m)


@case((1, 3), (1, 62), (1, 63), (1, 64), (-1, 63), (I62, 1), (5, 0), (0, 1000),
      (1, -1), (BIG, 10), (-BIG, 3), (3, 2.0), (True, 3), (1, 1 << 70))
def lshift(a, b):
    return a << b


@case((16, 2), (-16, 2), (-1, 100), (BIG, 99), (I63, 63), (5, 0), (1, -1), (-7, 1),
      (1, 1 << 70), (-1, 1 << 70), (2.0, 1))
def rshift(a, b):
    return a >> b


BITPAIRS = [(12, 10), (-12, 10), (12, -10), (BIG, -1), (-BIG, BIG - 1), (True, False),
            (True, 2), (0, 0), ({1, 2}, {2, 3}), (frozenset({1}), {1, 4}),
            ({"a": 1}, {"b": 2}), (1.0, 2), ("a", 1)]


@case(*BITPAIRS)
def bitand(a, b):
    return a & b


@case(*BITPAIRS)
def bitor(a, b):
    return a | b


@case(*BITPAIRS)
def bitxor(a, b):
    return a ^ b


@case(*[(x,) for x in (5, -5, 0, -0.0, 0.0, 2.5, NAN, -INF, BIG, -BIG, I63, -I63, True,
                       False, 3 + 4j, "s", [1], None)])
def unary_neg(a):
    return -a


@case(*[(x,) for x in (5, -5, -0.0, BIG, True, 2.5, "s", None, 1j)])
def unary_pos(a):
    return +a


@case(*[(x,) for x in (5, -5, 0, -1, BIG, -BIG, I63 - 1, -I63, True, False, 2.5, "s")])
def unary_invert(a):
    return ~a


@case(*[(x,) for x in (5, 0, 0.0, -0.0, NAN, "", "a", [], [0], None, (), {}, BIG, 0j)])
def unary_not(a):
    return not a, not not a


@case(*[(x,) for x in (5, -5, 0, -0.0, 2.5, BIG, -BIG, True, -I63, 3 + 4j, "x")])
def builtin_abs(a):
    return abs(a)


# type errors with exact messages -----------------------------------------

@case((1, "a"), ("a", 1), ([1], (1,)), (None, 1), ({}, {}), (1.5, "x"), ((), []))
def add_typeerror(a, b):
    return a + b


@case(("ab", 3), (3, "ab"), ([1, 2], 2), (2, (1,)), ("ab", -1), ([0], BIG), ("ab", 1.5),
      ("ab", "c"), ([1], True), (b"xy", 2), (bytearray(b"q"), 3))
def seq_repeat(a, b):
    return a * b


@case(("a", "b"), ("x", 1), (1, "x"), ([1], 1))
def sub_typeerror(a, b):
    return a - b


@case(("%s-%d", ("a", 3)), ("%r", ([1],)), ("%5.2f|%-4d|%x|%o|%e", (3.14159, 7, 255, 8, 12345.678)),
      ("%s", ()), ("%d", ("x",)), ("%(a)s %(b)s", {"a": 1, "b": 2}), ("%c%c", (65, "b")),
      ("100%%", ()), (b"%s and %d", (b"x", 5)))
def str_mod(fmt, args):
    return fmt % args


# in-place operators -------------------------------------------------------

@case((5, 3), (BIG, BIG), (2.5, 1), ("ab", "cd"), ([1], [2]), ((1,), (2,)), (I63 - 1, 1))
def iadd(a, b):
    c = a
    a += b
    return a, c, a is c


@case(([1, 2], [3]), ([], "ab"), ([1], (2, 3)), ([1], 5))
def iadd_list_alias(a, b):
    alias = a
    a += b
    return alias


@case((10, 3), (-10, 3), (10.5, 2), (BIG, 7), (10, 0))
def iops_all(a, b):
    x = a
    x -= b
    y = a
    y *= b
    z = a
    try:
        z //= b
    except ZeroDivisionError as e:
        z = str(e)
    w = a
    try:
        w %= b
    except ZeroDivisionError as e:
        w = str(e)
    v = a
    try:
        v /= b
    except ZeroDivisionError as e:
        v = str(e)
    return x, y, z, w, v


@case((12, 5), (BIG, 3), (-1, 2))
def iops_bits(a, b):
    x = a
    x &= b
    y = a
    y |= b
    z = a
    z ^= b
    s = a
    s <<= b
    r = a
    r >>= b
    p = a
    p **= b
    return x, y, z, s, r, p


@case(({1, 2}, {2, 3}), ({"a": 1}, {"b": 2, "a": 3}))
def iops_sets_dicts(a, b):
    alias = a
    a |= b
    return a, alias, a is alias


@case(({1, 2, 3}, {2}),)
def iops_sets_more(a, b):
    x = set(a)
    x &= b
    y = set(a)
    y ^= b
    z = set(a)
    z -= b
    return x, y, z


# numeric loops: specialisation must keep exact int semantics ----------------

@case((10,), (70,), (200,), (0,), (-3,))
def int_loop_overflow(n):
    t = 1
    for i in range(n):
        t = t * 3 + i
    return t


@case((64,), (100,))
def doubling(n):
    x = 1
    out = []
    for i in range(n):
        x += x
        if i > 58:
            out.append(x)
    return out


@case((100,), (1000,), (1,))
def float_loop(n):
    s = 0.0
    for i in range(1, n + 1):
        s += 1.0 / (i * i)
    return s


@case((10,), (25,))
def mixed_loop(n):
    acc = 0
    for i in range(n):
        if i % 3 == 0:
            acc += i / 2
        else:
            acc -= i
    return acc


@case((I63 - 1,), (-I63,), (I62,), (-(I62) - 1,))
def edge_int_ops(x):
    return (x + 1, x - 1, x * 2, x * -1, -x, abs(x), x // -1, x % -1, x // 7, x % 7,
            x << 1, x >> 1, ~x, x * x, x ** 2)


@case((3, 4), (0.1, 0.2), (1e16, 1.0), (-0.0, 0.0))
def float_precision(a, b):
    return a + b, a * b - b, (a + b) + 1e-17, round(a + b, 3)


class Vec:
    def __init__(self, x, y):
        self.x, self.y = x, y

    def __add__(self, o):
        if isinstance(o, Vec):
            return Vec(self.x + o.x, self.y + o.y)
        if isinstance(o, (int, float)):
            return Vec(self.x + o, self.y + o)
        return NotImplemented

    def __radd__(self, o):
        print("radd", o)
        return self.__add__(o)

    def __sub__(self, o):
        return NotImplemented

    def __mul__(self, k):
        return Vec(self.x * k, self.y * k)

    def __rmul__(self, k):
        return Vec(k * self.x, k * self.y)

    def __matmul__(self, o):
        return self.x * o.x + self.y * o.y

    def __neg__(self):
        return Vec(-self.x, -self.y)

    def __pos__(self):
        return "pos"

    def __invert__(self):
        return "inv"

    def __abs__(self):
        return (self.x ** 2 + self.y ** 2) ** 0.5

    def __bool__(self):
        return bool(self.x or self.y)

    def __truediv__(self, k):
        return Vec(self.x / k, self.y / k)

    def __floordiv__(self, k):
        return Vec(self.x // k, self.y // k)

    def __mod__(self, k):
        return "mod"

    def __pow__(self, k, m=None):
        return ("pow", k, m)

    def __lshift__(self, k):
        return "lshift"

    def __and__(self, k):
        return "and"

    def __repr__(self):
        return f"Vec({self.x!r}, {self.y!r})"

    def __eq__(self, o):
        return isinstance(o, Vec) and (self.x, self.y) == (o.x, o.y)

    __hash__ = None


class IVec(Vec):
    def __iadd__(self, o):
        if isinstance(o, Vec):
            self.x += o.x
            self.y += o.y
            return self
        return NotImplemented

    def __imul__(self, k):
        return NotImplemented


class Sub(Vec):
    def __radd__(self, o):
        return "Sub.radd wins"


@case((Vec(1, 2), Vec(3, 4)), (Vec(1, 2), 5), (5, Vec(1, 2)), (Vec(1, 2), "s"), ("s", Vec(1, 2)),
      (Vec(1, 2), Sub(0, 0)), (2.5, Vec(1, 1)))
def user_add(a, b):
    return a + b


@case((Vec(3, 4),), (Vec(0, 0),))
def user_unary(v):
    return -v, +v, ~v, abs(v), not v, bool(v), v @ v, v * 2, 3 * v, v / 2, v // 2, v % 2, \
        v ** 2, pow(v, 2, 5), v << 1, v & 1


@case((Vec(1, 2), 3), (Vec(1, 2), Vec(1, 1)))
def user_sub_notimpl(a, b):
    return a - b


@case((Vec(1, 2),), (Vec(0, 0),))
def user_unsupported(v):
    out = []
    for op in range(4):
        try:
            if op == 0:
                r = v | 1
            elif op == 1:
                r = 1 ^ v
            elif op == 2:
                r = v >> 2
            else:
                r = "a" - v
            out.append(r)
        except TypeError as e:
            out.append(str(e))
    return out


@case((IVec(1, 2), Vec(1, 1)), (IVec(1, 2), 3), (Vec(1, 2), Vec(5, 5)))
def user_iadd(a, b):
    alias = a
    a += b
    a *= 2
    return a, alias, a is alias


class Num:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


@case((Num(3), [1, 2]), (Num(2), "ab"), (Num(-1), [1]))
def index_dunder(n, seq):
    return seq * n, seq[n] if n.v >= 0 and n.v < len(seq) else None, bin(n), hex(n)


@case((0.1, 0.2, 0.3), (1, 2, 3), (BIG, 1, -BIG))
def mixed_expr(a, b, c):
    return (a + b) * c - a / (b + 1) + (c if c else 1) ** 2, a * b + c * (a - b)


@case((17,), (-17,), (0,), (BIG,))
def int_methods(n):
    return (n.bit_length(), n.to_bytes(20, "big", signed=True)[-4:], int.from_bytes(b"\x01\x00", "little"),
            n.real, n.imag, n.numerator, n.denominator, n.conjugate(), divmod(n, 5), hash(n) == hash(n))


@case((2.5,), (-0.0,), (NAN,), (INF,), (1e-320,))
def float_methods(x):
    out = [x.is_integer(), x.hex(), repr(x), str(x), float(x).__round__(), ]
    try:
        out.append(x.as_integer_ratio())
    except (ValueError, OverflowError) as e:
        out.append((type(e).__name__, str(e)))
    try:
        out.append(int(x))
    except (ValueError, OverflowError) as e:
        out.append((type(e).__name__, str(e)))
    return out


@case((2.5,), (3.5,), (-2.5,), (0.125,), (1234.5678,))
def rounding(x):
    return round(x), round(x, 1), round(x, -1), int(x), float(int(x)), x // 1, x % 1


@case(("12",), ("-0x1f",), (" 7 ",), ("1e3",), ("abc",), ("1_000",), ("",))
def int_parse(s):
    try:
        a = int(s)
    except ValueError as e:
        a = str(e)
    try:
        b = float(s)
    except ValueError as e:
        b = str(e)
    try:
        c = int(s, 0)
    except ValueError as e:
        c = str(e)
    return a, b, c


@case((3, 4), (1, 2.5), (2j, 1 - 1j))
def complex_ops(a, b):
    z = complex(a, b)
    return z, z * z, z.conjugate(), abs(z), z / (1 + 1j), z == complex(a, b)


@case((7, 2), (-7, 2), (7.0, -2.0), (2 ** 64, 2 ** 32))
def chained_arith(a, b):
    x = a + b * 2 - a // b % 3 ** 2
    x -= -a
    return x, -a ** 2, (-a) ** 2, 2 ** -1, a // b * b + a % b == a
