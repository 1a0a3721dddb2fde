# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 77 (program index 847)
# crash: the worker died (exit code -11)
# (not shrunk)

G0 = 'xxx'
G1 = '1.5'

class CM:
    def __init__(self, tag, suppress=False):
        self.tag = tag
        self.suppress = suppress
    def __enter__(self):
        print('enter', self.tag)
        return self
    def __exit__(self, et, ev, tb):
        print('exit', self.tag, et.__name__ if et else None)
        return self.suppress

class Flip:
    def __init__(self):
        self.n = 0
    def __bool__(self):
        self.n += 1
        return self.n % 3 != 1
    def __repr__(self):
        return f'Flip({self.n})'

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

class SwapA:
    def __init__(self):
        self.v = 1
    def val(self):
        return 1
    def swap(self):
        self.__class__ = SwapB if self.__class__ is SwapA else SwapA
        self.v += 1
        return self.v
    def __repr__(self):
        return f'{type(self).__name__}({self.v})'

class SwapB:
    def val(self):
        return 20
    def swap(self):
        self.__class__ = SwapA
        return -self.v
    def __repr__(self):
        return f'SwapB({self.v})'

class C0:
    K = 6
    def __init__(self, x, y=1):
        self.x = x
        self.y = y
    def __repr__(self):
        return f'C0({self.x!r}, {self.y!r})'
    def m(self, k):
        return self.x * 3 + k - self.y
    @property
    def p(self):
        return self.x - self.y
    def bump(self, k):
        self.x += k
        return self

def h0(a0):
    v1 = 256
    v2 = [v1, v1, 2147483647]
    fn3 = lambda a, b=4: (-256)
    v1 = (lambda a, b=2: (len(G0)))((5 + v1))
    return list(map(abs, [(-2), v1, v1][5:]))

def r0(n, acc=0):
    if n <= 0:
        return 0
    return r0(n - 1, acc + 5)

def f(p0):
    global G0, G1
    x4 = Flip()
    x5 = EqMut(3)
    x6 = BadIndex()
    x7 = SwapA()
    o8 = C0((18446744073709551616 - 3), (7 - 255))
    v9 = ([(100 % 12345)] * (-1))
    v10 = r0(7, 1267650600228229401496703205376)
    v11 = r0(8, (-2))
    try:
        v9 = v9
        G0 = (f" {([v11, v10, v10, 4294967296])!a} {(()):>10}" if (o8 or (G0 < '')) else G0)
        h0(G1)
        if o8:
            [][0]
    except ValueError as e12:
        p0[(-1)] += v11
        del v9[:]
    except Exception:
        p0 += [v11, v11]
    except (IndexError, KeyError) as e13:
        print(repr(e13), e13.args)
        with CM('a', True), CM('c', False) as cm14:
            if False:
                o8.y *= 10
                raise TypeError('bad value')
                p0[4] |= v11
                p0 = p0
            elif (G1 < '-3'):
                None
                o8 = o8
                v11 ^= v11
                p0 = p0
            elif x4:
                if True:
                    return v11
            if (4611686018427387904, v10):
                len(range(0, 5, 0))
        v10 = v11
    G0 = ('ab' * x6)
    G0 = 'ÄÖ'
    return (G0, G1,)

CALLS = [([1, 100000000000000000000],), ([(-7), (-1), (-256), (-1)],), ([1, 255, 255],)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
