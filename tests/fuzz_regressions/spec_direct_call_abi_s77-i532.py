# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 77 (program index 532)
# crash: the worker died (exit code -11)
# (shrunk)

G0 = [-7, 7, -7, 5]

class C0:

    def __init__(self, x, y=1):
        self.x = x
        self.y = y

def r0(n, acc=0):
    return r0(n - 1, acc + acc % n)

def f(p0):
    global G0
    o4 = C0(True + p0, int(p0) % 1000)
    v5 = (p0 - p0) % (100 + p0)
    v6 = 123.456
    G0 += list((12345, v5, p0))
    v5 = r0(8, p0)
    match sum((2 for c9 in range(5))):
        case 3:
            print(b'\x00\xff', b'hello', end='|\n')
            w10 = 0
            while w10 < 0 and o4:
                w10 += 1
                match w10:
                    case 3:
                        o4 = o4
                        v6 = v6
                    case _:
                        v5 = p0
                with CM('c', True):
                    G0 += [w10]
                    p0 // v5
                o4 = o4
        case _:
            o4 = C0(v5, p0) + o4
    print(math.floor(3.0), b'a')
    return 2

CALLS = [((-18446744073709551617),), (True,)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
