# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 0 (program index 45), shrunk
# UNPACK_SEQUENCE on a too-long list/tuple/str: the compiled code raised
#   ValueError('too many values to unpack (expected 2, got 3)')   (the 3.12+ wording)
# where CPython 3.11 says
#   ValueError('too many values to unpack (expected 2)')

def f(x):
    a, b = x
    return a

CALLS = [([1, 2, 3],), ((1, 2, 3),), ('abc',), ([0, 0] + [0],)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
