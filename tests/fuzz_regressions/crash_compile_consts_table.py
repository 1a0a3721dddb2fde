# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still fails)
# found by: python -m jit.fuzz --programs 2000 --seed 1 (program index 778), partly shrunk
# SEGFAULT inside jit.compile(f): jit/pipeline.py:121 compile_code, `arr[i] = id(obj)`
# (filling the constants table). It reproduces every time through the oracle
# (`python -m jit.fuzz --check THIS_FILE`), but NOT when f is only compiled in a fresh
# process, nor when f is run in the interpreter and then compiled: the oracle exec's
# the module twice from ONE code object, runs ns1's f (quickening the shared code),
# then compiles ns2's r0 and then f. Deleting any single statement makes it go away,
# so it may depend on the exact size/layout of f (constants count? opt level?).
# Names like Flip/C1/deep were removed by the shrinker; f raises NameError at once
# in the interpreter -- the crash is in compilation, not execution.

def r0(n):
    pass

def f(p0, p1):
    x1 = Flip()
    x2 = BadIndex()
    x3 = SwapA()
    v5 = {7, 2}
    v6 = b'a'[:p1:-1]
    try:
        p1 = len(str(2.0 ** 1023))
    except NameError as e9:
        print('caught', type(e9).__name__, e9)
        match [v7] * 4:
            case []:
                while w12 < 0 and v8 <= 6:
                    w12 += 1
                    v7 = 2
                else:
                    if False:
                        return {'c': 0, 'a': v8, 'b': 7}
                try:
                    v5.discard(p1)
                    v7 = -4611686018427387904
                except NameError:
                    try:
                        v7 = deep(2)
                    except RecursionError:
                        v7 = -1
                    v5.remove(p1)
                except RuntimeError:
                    p0.add(100000000000000000000)
                except TypeError as e13:
                    print(repr(e13), e13.args)
                    fn14 = lambda a, b=5: max([p1, b, a, a] + [p1, 4294967296], default=abs(a))
                    p1 = v8
                else:
                    v5 -= {v7, -2, 1}
                    p1, v8 = (v7, v8)
            case [n10] if o4:
                v5 = v5
                v5.discard(n10)
            case [n10, *n11]:
                n11.append(p1)
                if v8 > -1:
                    if True:
                        raise TypeError('boom') from None
                elif None:
                    v8 ^= p1
                elif n10 >= -2:
                    v6 += b'12'
                else:
                    p1 **= 3
                    if x1:
                        raise TypeError('bad value') from None
            case _:
                try:
                    p1 = -1
                    if v7 > 8:
                        v7 % 0
                except UnboundLocalError as e15:
                    assert 1.7976931348623157e+308
                    C1.m = lambda self, k: k + 7
                except LookupError as e16:
                    print(repr(e16), e16.args)
                    v6 = b'\x00\xff'
                except LookupError:
                    assert v8 >= 6, 'msg'
                else:
                    print(v6, v6, (v8, p1), sep=', ')
        if 'a' in {'key': p1, 'b': v7, 'a': 2}:
            v7 = max(v8, v8, p1, 0, 0, v8, p1, v8, v7, p1, v8, p1, v8, p1)
            v7 = 100
        elif [v7] >= [p1, p1]:
            o4 = o4
            p1 = p1 & v7
            o4 = C1(p1)
            v8 <<= -4611686018427387904 % 70
        elif False:
            try:
                p1 = v7 % 0
                v6 = b''
                r0(min(abs(int(v8)), 8))
            finally:
                p1 = v7
                o4 = o4
            for i17 in range(0, 1, 2):
                v7 = p1
                fn18 = lambda a: C1.K + sum([-256, 255])
                if x1:
                    continue
            for i19, i20 in zip(sorted([v8, -256, v8, -7]), range(5)):
                fn21 = lambda a: p1 % i20 % 256
                p0.remove(i19)
    except AttributeError as e22:
        print('caught', type(e22).__name__, e22)
        for i23, i24 in zip([v8, p1, 1, v7] if p1 == -2 else [-2147483648, p1, p1], range(4)):

            def inner25(a):
                nonlocal v8
                t26 = i24
                p0.add(1000)
                return math.isqrt(abs(2 and v7))
            p1 = inner25(math.gcd(p1, 5))
        else:
            v8 = int('x')
            v5 = {v8, v7}
    else:
        r0(min(abs(int(p1)), 8))
    try:
        try:
            v7 = deep(2)
        except RecursionError:
            v7 = -1
    except KeyError as e27:
        print(repr(e27), e27.args)
        try:
            v7 = deep(2)
        except RecursionError:
            v7 = -1
        if [v7, 100, 100] or x1:
            del v6
    try:
        C1.p = property(lambda self: -3)
        for i28, i29 in zip([9223372036854775807][5:2 ** 70:-1], range(2)):

            def inner30(a):
                pass
            v7 = inner30(255 and p1)
            if i28 < 0:
                raise Exception('bad value') from ValueError('inner')
    except UnboundLocalError:
        try:
            if v6 <= b'hello':
                raise ExceptionGroup('eg', [TypeError('t'), ExceptionGroup('inner', [ValueError(2)])])
        except* ValueError as g32:
            print('eg', type(g32).__name__, repr(g32.exceptions))
    except (IndexError, KeyError) as e33:
        print('caught', type(e33).__name__, e33)

        class L34:
            k = max([v8, v8, -7, 12345], default=p1)
        v7 = L34().get(v8)
    finally:
        try:
            v8 = deep(2)
        except RecursionError:
            v8 = -1
    v5 &= set([][1:2])
    try:
        p1 = deep(1)
    except RecursionError:
        p1 = -1

CALLS = [(set(), 0)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
