# jit.fuzz seed 2103, programs 119 and 151 (shrunk): a remainder of two constants,
# both never negative, by zero. The unsigned-division path asked whether 0 has a
# short unsigned reciprocal, and that raised ValueError('negative shift count')
# out of the specialiser instead of the ZeroDivisionError.

def f(p0):
    G0 = 1 % 0

CALLS = [(0,)]
