"""The builtins as they were when jit was imported. The compiler's and the runtime's
modules look builtin names up here (``from runtime.own_builtins import BUILTINS as
__builtins__``: a function takes its builtins from its module's ``__builtins__``
when it is made), so a program that patches the builtins module (``mock.patch`` of
``builtins.len``, its own ``__import__``) changes what its own code calls -- as the
interpreter's C code never sees such a patch -- not what compiling and deoptimising
run."""
import builtins

BUILTINS = dict(vars(builtins))
__builtins__ = BUILTINS      # (this module's own code too)
_ABSENT = object()


class AsImported:
    """``with AsImported():`` the builtins module holds what it held when jit was
    imported, and the program's patches are put back after. Library code the
    compiler runs (llvmlite's wrappers, the object cache's file handling) looks its
    builtins up in the builtins module itself: a patched ``len`` there made llvmlite
    pass garbage to LLVM (an assertion: the process aborted). Meanwhile another
    thread of the program running would see the originals too (only while a compile
    waits in LLVM)."""

    def __enter__(self):
        live = vars(builtins)
        self.patched = {name: live.get(name, _ABSENT) for name, value in BUILTINS.items()
                        if live.get(name, _ABSENT) is not value}
        live.update({name: BUILTINS[name] for name in self.patched})
        return self

    def __exit__(self, *exc):
        live = vars(builtins)
        for name, value in self.patched.items():
            if value is _ABSENT:
                live.pop(name, None)
            else:
                live[name] = value
        return False


def as_imported(fn):
    """``fn`` run ``with AsImported()``: the compiler's entry points (its stages call
    the standard library -- collections, os.path -- whose code looks builtins up in
    the builtins module). A program's own code that runs meanwhile (a finaliser the
    collector runs, a signal handler) sees the originals too."""
    def run(*args, **kwargs):
        with AsImported():
            return fn(*args, **kwargs)
    run.__name__, run.__qualname__, run.__doc__ = fn.__name__, fn.__qualname__, fn.__doc__
    run.__wrapped__ = fn
    return run
