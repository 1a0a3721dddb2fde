"""jit: compile CPython bytecode to native code through LLVM.

    fast = jit.compile(f)           # a function -> a compiled drop-in
    jit.exec(jit.compile(code), ns) # module-level code, like exec(code, ns)
    @jit.jit                        # decorator: compiles on first call
    jit.explain(fast)               # compiled or fell back, and why
"""
from .errors import CompileError, UnsupportedError
from .api import compile, exec, jit, explain, supported_opcodes, opcode_coverage

__all__ = ["compile", "exec", "jit", "explain", "CompileError", "UnsupportedError",
           "supported_opcodes", "opcode_coverage"]
__version__ = "0.1.0"
