# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 2042 (program index 5388), shrunk
# A segfault: a comprehension made in specialised code was specialised although
# it reads its frame (eval() without namespaces answered from the frame's state,
# whose slots the specialisation had unboxed). Nested code that reads its frame
# is compiled generic, as such functions are.

def f():
    v3 = [eval('c4 * 1') + c5 for c4 in range(5, 1, -1) for c5 in range(3)]
    return v3, [locals()['x'] * 2 for x in range(3)], [vars()['y'] for y in (1.5, 2.5)]

CALLS = [(), (), (), (), ()]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
