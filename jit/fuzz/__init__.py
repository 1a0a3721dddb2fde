"""Differential fuzzing of the compiler.

    from jit.fuzz import programs, check
    @given(programs())
    def test(p):
        assert not check(p.source, p.calls).failed

* :func:`programs` -- a hypothesis strategy of generated :class:`Program`
  objects (``.source`` defines ``f``; ``.args`` / ``.calls`` are its arguments);
  :func:`program_from_seed` -- the same generator driven by ``random``.
* :func:`check` -- the oracle: interpreter vs ``jit.compile(fallback=False)``.
* ``python -m jit.fuzz --programs N --seed S`` -- a campaign in worker processes.
"""
from .generator import FEATURES, DEFAULT_WEIGHTS, Program, generate, program_from_buffer, program_from_seed, programs
from .oracle import Result, check, check_file, check_isolated, interpreter_compiler

__all__ = ["FEATURES", "DEFAULT_WEIGHTS", "Program", "generate", "program_from_buffer", "program_from_seed",
           "programs", "Result", "check", "check_file", "check_isolated", "interpreter_compiler"]
