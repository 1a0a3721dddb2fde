# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 20240611 (program index 216), the bounded fuzz in CI
# crash: the worker died (exit code -11) -- an item lent by a tuple (borrow pass)
# was unboxed after the tuple's release freed it
# (shrunk)

def f(p0, p1, p2):
    v4 = divmod(0.0, 1.0)[1] * 0.0

CALLS = [(0, 0, 0)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
