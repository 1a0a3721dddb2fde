"""Exceptions raised by the compiler."""


from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
class CompileError(Exception):
    """The input cannot be compiled: malformed bytecode or an internal limit."""


class UnsupportedError(CompileError):
    """The compiler does not handle a construct and fallback was refused.

    ``opcode`` and ``lineno`` name the first unsupported instruction.
    """

    def __init__(self, message, opcode=None, lineno=None):
        super().__init__(message)
        self.opcode = opcode
        self.lineno = lineno


_own = None


def own_dirs() -> tuple:
    global _own
    if _own is None:
        import os
        import llvmlite
        import runtime
        from runtime.own_builtins import AsImported
        with AsImported():      # (os.path's code: see there)
            here = os.path.dirname(os.path.abspath(__file__))
            _own = tuple(os.path.dirname(os.path.abspath(m.__file__)) + os.sep
                         for m in (runtime, llvmlite)) + (here + os.sep,)
    return _own


def raised_by_program(exc: BaseException) -> bool:
    """Whether ``exc``, caught while compiling, comes from the program's own code
    that ran meanwhile (a signal handler, a finaliser): its innermost traceback
    entry is outside the compiler, the runtime and llvmlite. Such an exception is
    the program's to see, not an internal error to fall back on."""
    tb = exc.__traceback__
    if tb is None:
        return False
    while tb.tb_next is not None:
        tb = tb.tb_next
    return not tb.tb_frame.f_code.co_filename.startswith(own_dirs())
