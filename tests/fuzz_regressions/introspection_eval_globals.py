# jit.fuzz reproducer -- run it: python THIS_FILE (exit status 1 = still diverges)
# found by: python -m jit.fuzz --seed 2 (program index 10), shrunk
# eval() in compiled code uses the caller's globals, not f's module globals:
# expected return None, observed NameError("name 'G0' is not defined")
G0 = 0

def f():
    v1 = eval('G0 + 1')
    return v1, globals() is globals()

CALLS = [()]

if __name__ == '__main__':
    import sys
    from jit.fuzz.oracle import main_for_file
    sys.exit(main_for_file(__file__))
