# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 2 (program index 16), shrunk
# eval() without explicit namespaces in compiled code evaluates in the caller's
# frame: expected return None, observed NameError("name 'p0' is not defined")

def f(p0, p1):
    for i6 in range(min(eval('p0 + 2'), 5)):
        pass

CALLS = [(0, 0)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
