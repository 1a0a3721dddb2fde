# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 77 (program index 1138)
# crash: the worker died (exit code -11)
# (not shrunk)

G0 = 'a,b,c'
G1 = [100]

LOG = []

class EqMut:
    def __init__(self, v):
        self.v = v
        self.calls = 0
    def __eq__(self, other):
        self.calls += 1
        LOG.append(self.calls)
        return self.calls % 2 == 0
    def __hash__(self):
        return 7
    def __repr__(self):
        return f'EqMut({self.v}, {self.calls})'

class BadIndex:
    def __index__(self):
        raise IndexError('bad index')
    def __repr__(self):
        return 'BadIndex()'

class C0:
    K = 4
    def __init__(self, x, y=1):
        self.x = x
        self.y = y
    def __repr__(self):
        return f'C0({self.x!r}, {self.y!r})'
    @property
    def p(self):
        return self.x ^ self.y
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

class C1:
    K = 4
    def __init__(self, x, y=1):
        self.x = x
        self.y = y
    def __repr__(self):
        return f'C1({self.x!r}, {self.y!r})'
    def m(self, k):
        return self.x * 4 + k - self.y
    @property
    def p(self):
        return self.x + self.y
    def __eq__(self, other):
        return isinstance(other, C1) and self.x == other.x
    def __hash__(self):
        return hash(self.x)
    def __bool__(self):
        return self.x > 0
    def bump(self, k):
        self.x += k
        return self

def r0(n, acc=0):
    if n <= 0:
        return (-7)
    return r0(n - 1, acc + ((lambda a, b=2: (9223372036854775807))(acc) & (-acc)))

def f():
    global G0, G1, max
    x1 = EqMut(3)
    x2 = BadIndex()
    o3 = C0((-7), r0(min(abs(int(1000000000000000000000000000007)), 10)))
    o4 = C1(r0(7, 12345), (2147483647 if (G0 == ' x y ') else 255))
    v5 = (100 if True else 10)
    *G1, v5 = tuple([v5, v5, v5, 12345])
    return (G0, G1, x1, x2, o3,)

CALLS = [(), ()]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
