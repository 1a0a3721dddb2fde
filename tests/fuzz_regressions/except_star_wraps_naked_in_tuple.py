# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 2027 (program index 6287)
# status: divergence
# compiled: f
# call 0: result differs:
#   expected raise NameError("name 'G0' is not defined") [context ExceptionGroup(' (1 sub-exception)')]
#   observed raise NameError("name 'G0' is not defined") [context ExceptionGroup(' (1 sub-exception)')]
# (shrunk)

def f(p0, p1, p2):
    try:
        raise KeyError('only')
    except* KeyError as g7:
        p0 = len(G0[x2:])
    except* TypeError as g8:
        pass

CALLS = [(0, 0, 0)]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
