# jit.fuzz reproducer (hypothesis test): a deopt's re-raise kept the resumed frame alive
# (one extra reference to an argument while the exception lived)
G0 = 255

class C0:
    K = 2
    def __init__(self, x, y=1):
        self.x = x
        self.y = y
    def __repr__(self):
        return f'C0({self.x!r}, {self.y!r})'
    def __eq__(self, other):
        return isinstance(other, C0) and self.x == other.x
    def __hash__(self):
        return hash(self.x)
    def __add__(self, other):
        if isinstance(other, C0):
            return C0(self.x + other.x, self.y)
        return C0(self.x + other, self.y)
    def bump(self, k):
        self.x += k
        return self

def h0(a0, a1=[256], a2=1000):
    v1 = list({'key': a2}.values())
    v2 = (9 * len((100,)))
    for i3 in range(0, 4, 3):
        continue
    v1 = a1
    return (sorted(sorted(a0, reverse=True)) < list(map(abs, list(map(len, [a0])))))

def h1(a0, a1):
    v4 = (min(a0, (-7), G0, 5, a0, a0, 12345, G0, G0, a1, 12345, a0, (-1), (-256), 1, 100000000000000000000, 9223372036854775808, a0, a1, 1, a1, a0, a1, a1, a0, a0, 255, 3, a1, (-256)) % (len({}) or 3))
    v5 = []
    pass
    return 12345

def f(p0, p1, p2, p3):
    o6 = C0(h1(p0, p3), len(p2))
    v7 = ([*[], 3] + list(map(len, [[]])))
    v8 = 255
    v9 = list(range(3, 5))
    try:
        h0(v9, v9, G0)
        raise KeyError('only')
    except* ValueError as g10:
        g10.exceptions
    except* KeyError as g11:
        g11.exceptions
        p0 = 256
    if (-2):
        v9[0] = (p1 & p3)
        v7[2] *= (10 & v8)
        v7[4] = (7 or (-7))
        p0 = G0
    v9.insert(0, ((100 * 10) ^ (p3 & p0)))
    try:
        v7.append(2)
        None
        if ([0, v8] >= v9):
            raise ExceptionGroup('eg', [ValueError(1), KeyError('k')])
    except* KeyError as g12:
        g12.exceptions
        o6 = C0(0, p0)
    except* TypeError as g13:
        g13.exceptions
        v8 = p0
    p0 += p3
    p0 &= p0

CALLS = [((-2147483648), 2, {'b': 100, 'a': 100}, 5), (4611686018427387904, (-18446744073709551617), {}, (-7))]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
