"""The builtins as they were when jit was imported. The compiler's and the runtime's
modules look builtin names up here (``from runtime.own_builtins import BUILTINS as
__builtins__``: a function takes its builtins from its module's ``__builtins__``
when it is made), so a program that patches the builtins module (``mock.patch`` of
``builtins.len``, its own ``__import__``) changes what its own code calls -- as the
interpreter's C code never sees such a patch -- not what compiling and deoptimising
run."""
import builtins

BUILTINS = dict(vars(builtins))
