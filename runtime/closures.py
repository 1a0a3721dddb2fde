"""Compiled entries of the functions compiled code makes (closures, lambdas).

A function that compiled code makes with MAKE_FUNCTION is an ordinary function
object: the interpreter runs it as before. Its vectorcall slot, though, is
rtlib's jit.closure_call, which runs its code compiled where the maker's module
compiled it (lower.Lowering.closure_entry) -- when that module is alive and the
call passes exactly the positional parameters -- and the interpreter's vectorcall
otherwise. So a lambda handed to sorted(), or a closure a compiled loop calls,
runs natively; nothing about the function object changes (its __code__,
__defaults__ and so on are its own, and every call reads them anew).

The entry is found through the code object's extra slot (PEP 523's co_extra),
which holds a small struct {entry, weak reference to its keeper, argc}: the keeper
is the object whose life keeps the entry's machine code and constants alive (the
engine.Library of the maker's module). jit.closure_call holds the keeper during the
call, and takes the interpreter's path once the reference is dead -- no code of
ours runs when the keeper dies (a signal handler's exception raised in such code
would be lost). The struct is freed with the code; its weak reference is kept.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import ctypes
import weakref

from . import capi


class _Entry(ctypes.Structure):
    _fields_ = [("entry", ctypes.c_void_p), ("keeper_ref", ctypes.c_void_p),
                ("argc", ctypes.c_int64)]


# struct address -> the weak reference it points at (replaced with the struct's next
# registration, or when a later code's struct comes at the same address; kept when
# this module's dict is cleared at exit: jit.closure_call may run after that)
_refs: dict = capi.lasting({})


def _setup() -> bool:
    """Take a code extra index (freed entries: libc's free, as they are malloc'd)."""
    api = ctypes.pythonapi
    try:
        request, get, put = (api._PyEval_RequestCodeExtraIndex, api._PyCode_GetExtra,
                             api._PyCode_SetExtra)
        libc = ctypes.CDLL(None)
        malloc, free = libc.malloc, libc.free
    except AttributeError:
        return False
    request.argtypes, request.restype = [ctypes.c_void_p], ctypes.c_ssize_t
    get.argtypes, get.restype = [ctypes.py_object, ctypes.c_ssize_t,
                                 ctypes.POINTER(ctypes.c_void_p)], ctypes.c_int
    put.argtypes, put.restype = [ctypes.py_object, ctypes.c_ssize_t, ctypes.c_void_p], ctypes.c_int
    malloc.argtypes, malloc.restype = [ctypes.c_size_t], ctypes.c_void_p
    free.argtypes, free.restype = [ctypes.c_void_p], None
    index = request(ctypes.cast(free, ctypes.c_void_p).value)
    if index < 0:
        return False
    capi.code_extra_index.value = index
    global _get, _put, _malloc, _free
    _get, _put, _malloc, _free = get, put, malloc, free
    return True


AVAILABLE = _setup()


def _entry_of(code, make: bool) -> _Entry | None:
    """The struct in ``code``'s extra slot (made, zeroed, when ``make``)."""
    out = ctypes.c_void_p()
    if _get(code, capi.code_extra_index.value, ctypes.byref(out)) != 0:
        raise MemoryError("code extra")
    if out.value:
        return _Entry.from_address(out.value)
    if not make:
        return None
    addr = _malloc(ctypes.sizeof(_Entry))
    if not addr:
        raise MemoryError("closure entry")
    ctypes.memset(addr, 0, ctypes.sizeof(_Entry))
    if _put(code, capi.code_extra_index.value, addr) != 0:
        _free(addr)
        raise MemoryError("code extra")
    return _Entry.from_address(addr)


def has_entry(code) -> bool:
    """Whether functions made of ``code`` have a compiled entry now."""
    entry = _entry_of(code, make=False)
    if entry is None or not entry.entry:
        return False
    return ctypes.cast(entry.keeper_ref, ctypes.py_object).value() is not None


def register(code, address: int, keeper) -> None:
    """Calls of functions made of ``code`` run the compiled entry at ``address``
    (``entry(function, args) -> result``, or jit_raw_marker to decline) while
    ``keeper`` lives; the latest registration for a code wins."""
    entry = _entry_of(code, make=True)
    ref = weakref.ref(keeper)
    entry.entry = None        # (never a new entry with the old reference)
    entry.keeper_ref, entry.argc = id(ref), code.co_argcount
    _refs[ctypes.addressof(entry)] = ref
    entry.entry = address
