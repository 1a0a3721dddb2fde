"""The builtins as they were when jit was imported. The compiler's and the runtime's
modules look builtin names up here (``from runtime.own_builtins import BUILTINS as
__builtins__``: a function takes its builtins from its module's ``__builtins__``
when it is made), so a program that patches the builtins module (``mock.patch`` of
``builtins.len``, its own ``__import__``) changes what its own code calls -- as the
interpreter's C code never sees such a patch -- not what compiling and deoptimising
run."""
import _thread
import builtins

BUILTINS = dict(vars(builtins))
__builtins__ = BUILTINS      # (this module's own code too)
_ABSENT = object()
_lock = _thread.RLock()
_entered = 0                 # AsImported blocks running, in all threads
_patches: dict = {}          # what the program had patched when the first began


class AsImported:
    """``with AsImported():`` the builtins module holds what it held when jit was
    imported, and the program's patches are put back after. Library code the
    compiler runs (llvmlite's wrappers, the object cache's file handling) looks its
    builtins up in the builtins module itself: a patched ``len`` there made llvmlite
    pass garbage to LLVM (an assertion: the process aborted). Meanwhile another
    thread of the program running would see the originals too (only while a compile
    runs). Nested and concurrent blocks (threads compiling at once) share one
    swap; a name the program patches meanwhile keeps the program's new value."""

    def __enter__(self):
        global _entered
        with _lock:
            if _entered == 0:
                live = vars(builtins)
                _patches.clear()
                _patches.update((name, live.get(name, _ABSENT)) for name, value in
                                BUILTINS.items() if live.get(name, _ABSENT) is not value)
                live.update({name: BUILTINS[name] for name in _patches})
            _entered += 1
        return self

    def __exit__(self, *exc):
        global _entered
        with _lock:
            _entered -= 1
            if _entered == 0:
                live = vars(builtins)
                for name, value in _patches.items():
                    if live.get(name, _ABSENT) is not BUILTINS[name]:
                        continue        # (patched again meanwhile: that stays)
                    if value is _ABSENT:
                        live.pop(name, None)
                    else:
                        live[name] = value
                _patches.clear()
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
