# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 20240611 (program index 148), the bounded fuzz in CI
# crash: the worker died (exit code -11) -- an item lent by a tuple (borrow pass)
# was unboxed after the tuple's release freed it
# (shrunk)

def f(p0):
    v4 = divmod(-18446744073709551617 + 100 + 0 + 5 + 2147483647 + 100 + -2503155504993241601315571986085849 + 100 + -7 + -1 + -2 + 0 + 0 + 0 + 0 + 0, 100)[0]
    v4 = True + 2

CALLS = [([],)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
