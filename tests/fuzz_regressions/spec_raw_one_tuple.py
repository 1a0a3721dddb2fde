# jit.fuzz reproducer (bounded fuzz, seed of tests/test_fuzz.py, index 118): a 1-tuple
# returned from specialised code came back as its item (the raw-return code of a tuple
# of one int was the code of a plain int, and the boxed path boxed the item alone)
def g(a):
    return (a * 2,)


def f():
    v1 = 0
    (x,) = g(v1 + 3)
    return (v1,), x, g(5)


CALLS = [(), (), ()]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
