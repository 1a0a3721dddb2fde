"""The benchmark programs: plain Python, one module each.

A program module defines:

``run(n)``      the entry point; deterministic, returns a checkable result
                (ints, floats, strings, tuples/lists/dicts of those -- never
                anything that depends on ``hash()`` of a string or on ids);
``SIZES``       ``{"quick": n1, "full": n2}``: ``run(SIZES["full"])`` takes
                ~0.2-1 s in the CPython 3.11 interpreter, quick a few tens of ms;
``GROUP``       ``"numeric"`` or ``"object"``;
``FUNCTIONS``   names (in the module namespace) the harness compiles, ``"run"``
                included.  The harness executes the module anew for each variant
                and replaces these names in that copy with compiled versions, so
                calls between them go compiled-to-compiled.  A dotted name
                (``"Particle.step"``) replaces a method of a class defined in the
                module (numba skips programs that have dotted names);
``NUMBA``       optional, ``False`` when ``numba.njit`` cannot be expected to
                compile the program (classes, closures, generators ...).

Numeric programs use plain loops, lists of floats and tuples and keep integers
within 64 bits, so that ``numba.njit`` can compile them and give the same
result.  Programs must not import each other; the standard library is fine.
"""
