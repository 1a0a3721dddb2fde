# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 77 (program index 255)
# crash: the worker died (exit code -11)
# (shrunk)

def r0(n, acc=0):
    if n <= 0:
        return n
    return r0(n - 1, acc + (0 * 0 if False else acc))

def f():
    v3 = dict(a=r0(7, 4611686018427387903), b=r0(3))

CALLS = [()]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
