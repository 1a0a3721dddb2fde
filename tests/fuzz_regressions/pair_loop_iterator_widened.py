# jit.fuzz seed 2104, program 255 (shrunk): a `for a, b in enumerate(...)` loop
# whose iterator's type widens on a later pass of type inference. The step was
# re-planned as a plain step but the unpacking kept its pair plan (the pair's
# record was never dropped), and the specialiser stopped with
# CompileError('a pair loop planned by halves').

def f(p0, p1, p2):
    v6 = p1
    for i7, i8 in enumerate([1000, v6]):
        p1 = L9().get(5)

CALLS = [(0, 0, b'')]
