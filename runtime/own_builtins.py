"""The builtins as they were when jit was imported. The compiler's and the runtime's
modules look builtin names up here (``from runtime.own_builtins import BUILTINS as
__builtins__``: a function takes its builtins from its module's ``__builtins__``
when it is made), so a program that patches the builtins module (``mock.patch`` of
``builtins.len``, its own ``__import__``) changes what its own code calls -- as the
interpreter's C code never sees such a patch -- not what compiling and deoptimising
run."""
import _thread
import builtins
import ctypes
import gc
import sys

BUILTINS = dict(vars(builtins))
__builtins__ = BUILTINS      # (this module's own code too)
_ABSENT = object()
_lock = _thread.RLock()
_entered = 0                 # AsImported blocks running, in all threads
_patches: dict = {}          # what the program had patched when the first began
_version = None              # the builtins dict's version tag once the originals were in
# what programs patch most (mock.patch of print, open, input) and no library code the
# compiler runs calls: never swapped, so such a patch is never held back meanwhile
_NOT_SWAPPED = frozenset(("print", "open", "input", "help", "exit", "quit", "copyright",
                          "credits", "license", "breakpoint", "_"))


_DICT_VERSION = 24           # (runtime.abi.DICT_VERSION: this module comes first)


def _dict_version() -> int:
    """The builtins dict's version tag (any store to it changes it: 3.11-3.13). No
    import here: a first call at interpreter exit may come when imports fail."""
    return ctypes.c_uint64.from_address(id(vars(builtins)) + _DICT_VERSION).value


class AsImported:
    """``with AsImported():`` the builtins module holds what it held when jit was
    imported, and the program's patches are put back after. Library code the
    compiler runs (llvmlite's wrappers, the object cache's file handling) looks its
    builtins up in the builtins module itself: a patched ``len`` there made llvmlite
    pass garbage to LLVM (an assertion: the process aborted). Meanwhile another
    thread of the program running would see the originals too (only while a compile
    runs). Nested and concurrent blocks (threads compiling at once) share one
    swap. If the program stored into the builtins module meanwhile (a finaliser
    or another thread patching), its patches are not put back (which of them it
    meant to keep cannot be told): the originals stay, as a program's own undoing
    would leave them. A store of the very original object (undoing a patch) changes
    nothing a program can see, so that one is not noticed: the patch comes back.
    ``print``, ``open``, ``input`` and the like, which programs patch most and no
    library code the compiler runs calls, are never swapped."""

    def __enter__(self, _finalizing=sys.is_finalizing):
        global _entered, _version
        # (while the interpreter finalises, module globals may be gone already, this
        # module's too: nothing is swapped; nothing compiles then anyway)
        self.swapped = not _finalizing()
        if not self.swapped:
            return self
        with _lock:
            if _entered == 0:
                # (no collection between reading the patches and taking the version
                # tag: a finaliser storing into builtins there would go unseen)
                collecting = gc.isenabled()
                gc.disable()
                try:
                    live = vars(builtins)
                    _patches.update((name, live.get(name, _ABSENT)) for name, value in
                                    BUILTINS.items() if live.get(name, _ABSENT) is not value
                                    and name not in _NOT_SWAPPED)
                    if _patches:
                        live.update({name: BUILTINS[name] for name in _patches})
                        _version = _dict_version()
                finally:
                    if collecting:
                        gc.enable()
            _entered += 1
        return self

    def __exit__(self, *exc):
        global _entered
        if not self.swapped:
            return False
        dropped = None
        with _lock:
            _entered -= 1
            if _entered == 0 and _patches:
                live = vars(builtins)
                if _dict_version() == _version:      # (nothing stored meanwhile)
                    for name, value in _patches.items():
                        if value is _ABSENT:
                            live.pop(name, None)
                        else:
                            live[name] = value
                dropped = dict(_patches)     # (released after the lock: a __del__)
                _patches.clear()
        del dropped
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
