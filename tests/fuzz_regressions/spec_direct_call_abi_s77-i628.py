# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 77 (program index 628)
# crash: the worker died (exit code -11)
# (shrunk)

def r0(n, acc=0):
    return r0(n - 1, acc + 4611686018427387903)

def f():

    def inner3(a):
        pass
    G1 = inner3(r0(4, 0))

CALLS = [(), ()]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
