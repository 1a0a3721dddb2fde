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
