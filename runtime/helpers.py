"""Python-level helpers native code calls for operations with no single C-API call.

Each is called positionally through PyObject_Vectorcall and returns a new
reference. A helper raises only from its own frame or from user code it calls
directly: native code removes exactly one traceback entry (the helper's) when a
helper fails, so the traceback looks as if the compiled function raised.
Messages match CPython 3.11's interpreter word for word.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import builtins as _builtins
import ctypes
import os as _os
import sys
import types

from . import abi, capi, funcobject
from .own_builtins import as_imported


_import = _builtins.__import__
_MISSING = object()
if abi.FRAME_SLOTS_LAYOUT:      # (see jit.strip_tb)
    capi.helpers_globals.value = id(globals())


def let_interpreter_check():
    """Nothing: entering it, the interpreter's RESUME handles its eval breaker (an
    exception PyThreadState_SetAsyncExc left for this thread is raised here)."""
    return None


capi.interpreter_check.value = id(let_interpreter_check)
_TYPE_MRO = type.__dict__["__mro__"]
_TYPE_DICT = type.__dict__["__dict__"]


def _capi(name, restype, *argtypes):
    """A C-API function with a prototype of our own (setting argtypes on the shared
    ctypes.pythonapi attribute would change it for the program too)."""
    return ctypes.PYFUNCTYPE(restype, *argtypes)((name, ctypes.pythonapi))


_sequence_check = _capi("PySequence_Check", ctypes.c_int, ctypes.py_object)
_sequence_item = _capi("PySequence_GetItem", ctypes.py_object, ctypes.py_object, ctypes.c_ssize_t)


def _tp_name(cls) -> str:
    """PyTypeObject.tp_name as the interpreter's messages print it ("%.200s"): the
    module-qualified name of a C type (decimal.Decimal), a class's own name."""
    raw = ctypes.c_char_p.from_address(id(cls) + abi.TYPE_NAME).value or b""
    return raw[:200].decode("utf-8", "replace")


def _iterable(obj) -> bool:
    """What makes PyObject_GetIter try: a tp_iter slot (a class's ``__iter__``, even
    None), or PySequence_Check (an item slot, and not a dict)."""
    has_iter = ctypes.c_void_p.from_address(id(type(obj)) + abi.TYPE_ITER).value
    return bool(has_iter) or _sequence_check(obj) == 1


class _Unbound:
    """Marks an empty local slot in frame snapshots."""

    def __repr__(self):
        return "<unbound>"


UNBOUND = _Unbound()
EMPTIED = _Unbound()     # a local slot emptied by del (zero_arg_super's first argument)


# ---- frame introspection (compiled code has no frame of its own) --------------

def frame_locals(names, kinds, values, cached):
    """locals() of a compiled function: ``cached`` (the call's dict, or None) synced
    with the bound plain locals, cells and free vars, as PyFrame_FastToLocals does."""
    result = {} if cached is None else cached
    for name, kind, value in zip(names, kinds, values):
        if kind and value is not UNBOUND:
            try:
                value = value.cell_contents
            except ValueError:
                value = UNBOUND
        if value is UNBOUND:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def frame_dir(names, kinds, values, cached):
    return sorted(frame_locals(names, kinds, values, None if cached is None else dict(cached)))


def mapping_dir(mapping):
    return sorted(mapping.keys())


def zero_arg_super(class_cell, first, first_is_cell):
    """super() with no arguments. ``first``: the first parameter's value (a cell if
    it is one), UNBOUND when the code has no parameters, EMPTIED when its slot was
    emptied (``del self``; None is a value like any other)."""
    if first is UNBOUND:
        raise RuntimeError("super(): no arguments")
    if first is EMPTIED or first_is_cell:
        if first is EMPTIED:
            raise RuntimeError("super(): arg[0] deleted")
        try:
            first = first.cell_contents
        except ValueError:
            raise RuntimeError("super(): arg[0] deleted") from None
    if class_cell is None:
        raise RuntimeError("super(): __class__ cell not found")
    try:
        cls = class_cell.cell_contents
    except ValueError:
        cls = None
    if cls is None:
        raise RuntimeError("super(): empty __class__ cell")
    if not isinstance(cls, type):
        raise RuntimeError(f"super(): __class__ is not a type ({_tp_name(type(cls))})")
    return super(cls, first)


# ---- names ------------------------------------------------------------------

def raise_name_error(name):
    raise NameError(f"name '{name}' is not defined", name=name)


def raise_unbound_local(name):
    raise UnboundLocalError(f"cannot access local variable '{name}' where it is not "
                            "associated with a value")


def raise_unbound_free(name):
    raise NameError(f"cannot access free variable '{name}' where it is not associated "
                    "with a value in enclosing scope", name=name)


def _lookup(mapping, name):
    """mapping[name] or _MISSING; a dict is probed without raising KeyError, so no
    stray __context__ is left on the error raised afterwards."""
    if type(mapping) is dict:
        return mapping.get(name, _MISSING)
    try:
        return mapping[name]
    except KeyError:
        return _MISSING


def load_name(name, locals, globals, builtins):
    if locals is None:
        raise SystemError(f"no locals when loading {name!r}")
    for namespace in (locals, globals, builtins):
        value = _lookup(namespace, name)
        if value is not _MISSING:
            return value
    raise NameError(f"name '{name}' is not defined", name=name)


def store_name(name, value, locals):
    if locals is None:
        raise SystemError(f"no locals found when storing {name!r}")
    locals[name] = value


def delete_name(name, locals):
    if locals is None:
        raise SystemError(f"no locals when deleting {name!r}")
    try:
        del locals[name]
        return
    except BaseException:   # any error at all, as DELETE_NAME's format_exc_check_arg
        pass
    raise NameError(f"name '{name}' is not defined", name=name)


def delete_global(name, globals):
    if name not in globals:
        raise NameError(f"name '{name}' is not defined", name=name)
    del globals[name]


def load_classderef(name, locals, cell):
    value = _lookup(locals, name)
    if value is not _MISSING:
        return value
    try:
        return cell.cell_contents
    except ValueError:
        pass
    raise NameError(f"cannot access free variable '{name}' where it is not associated "
                    "with a value in enclosing scope", name=name)


def load_build_class(builtins):
    if "__build_class__" in builtins:
        return builtins["__build_class__"]
    raise NameError("__build_class__ not found")


# ---- class statements whose body runs compiled (builtins.__build_class__ in two halves)
# Every piece of user code these call (__mro_entries__, __prepare__, the metaclass) is
# called from the helper's own frame, so the one traceback entry native code strips
# is the helper's.

# Py<T>_Check(x) is ``issubclass(type(x), T)`` (isinstance would also consult a
# ``__class__`` attribute); no helper functions are called, so that no frame but the
# helper's is ever in a traceback.
_type_mro = type.__dict__["__mro__"].__get__     # tp_mro itself, whatever a metaclass says


def class_prepare(func, name, *orig_bases, **kwds):
    """__build_class__ up to running the body: (metaclass, namespace, bases, keywords,
    original bases), or an error exactly as __build_class__ raises it."""
    if not issubclass(type(name), str):
        raise TypeError("__build_class__: name is not a string")
    new_bases = None
    for i, base in enumerate(orig_bases):
        entries = _MISSING if issubclass(type(base), type) else \
            getattr(base, "__mro_entries__", _MISSING)
        if entries is _MISSING:     # (None is called, and fails, as __build_class__ does)
            if new_bases is not None:
                new_bases.append(base)
            continue
        more = entries(orig_bases)
        if not issubclass(type(more), tuple):
            raise TypeError("__mro_entries__ must return a tuple")
        if new_bases is None:
            new_bases = list(orig_bases[:i])
        new_bases.extend(more)
    bases = orig_bases if new_bases is None else tuple(new_bases)
    meta = kwds.pop("metaclass", _MISSING)
    isclass = meta is _MISSING or issubclass(type(meta), type)
    if meta is _MISSING:
        meta = type(bases[0]) if bases else type
    if isclass:         # the most derived metaclass (_PyType_CalculateMetaclass)
        winner = meta
        for base in bases:
            t = type(base)
            if any(m is t for m in _type_mro(winner)):
                continue
            if any(m is winner for m in _type_mro(t)):
                winner = t
                continue
            raise TypeError("metaclass conflict: the metaclass of a derived class must be a "
                            "(non-strict) subclass of the metaclasses of all its bases")
        meta = winner
    prepare = getattr(meta, "__prepare__", _MISSING)
    ns = {} if prepare is _MISSING else prepare(name, bases, **kwds)
    return meta, ns, bases, kwds, orig_bases, name, isclass


def class_namespace_error(state):
    """__build_class__'s error for a namespace that is not a mapping (native code
    checks with PyMapping_Check)."""
    meta, ns, isclass = state[0], state[1], state[6]
    what = ctypes.c_char_p.from_address(id(meta) + 24).value.decode()[:200] \
        if isclass else "<metaclass>"        # PyTypeObject.tp_name
    raise TypeError(f"{what}.__prepare__() must return a mapping, not "
                    f"{ctypes.c_char_p.from_address(id(type(ns)) + 24).value.decode()[:200]}")


def class_finish(state, cell):
    """__build_class__ after the body ran (it returned ``cell``): the class."""
    meta, ns, bases, kwds, orig_bases, name, _ = state
    if bases is not orig_bases:
        ns["__orig_bases__"] = orig_bases
    cls = meta(name, bases, ns, **kwds)
    if issubclass(type(cls), type) and type(cell) is types.CellType:
        if ctypes.c_void_p.from_address(id(cell) + 16).value is None:   # an empty cell
            raise RuntimeError(f"__class__ not set defining {repr(name)[:200]} as "
                               f"{repr(cls)[:200]}. Was __classcell__ propagated to "
                               "type.__new__?")
        cell_cls = cell.cell_contents
        if cell_cls is not cls:
            raise TypeError(f"__class__ set to {repr(cell_cls)[:200]} defining "
                            f"{repr(name)[:200]} as {repr(cls)[:200]}")
    return cls


def setup_annotations(locals):
    if locals is None:
        raise SystemError("no locals found when setting up annotations")
    if type(locals) is dict:
        if "__annotations__" not in locals:
            locals["__annotations__"] = {}
    else:
        try:
            locals["__annotations__"]
        except KeyError:
            locals["__annotations__"] = {}


# ---- class calls ---------------------------------------------------------------

_OBJECT_NEW = object.__dict__["__new__"]


def _mro_lookup(cls, name):
    """_PyType_Lookup: ``name`` in the dicts of ``cls``'s MRO, or None."""
    for base in _TYPE_MRO.__get__(cls):
        found = _TYPE_DICT.__get__(base).get(name, _MISSING)
        if found is not _MISSING:
            return found
    return None


def class_init(cls):
    """What calling ``cls`` does besides object.__new__, when that is all type's
    __call__ does: the __init__ function to call with the new object and the
    arguments. None when ``cls`` is not such a class (a metaclass, another
    __new__, a builtin or C __init__): the call then goes through ``type``.
    It calls nothing (native code gives back its frame's recursion level only, so
    near the limit a call would raise where the interpreter's class call does not):
    with ``type(cls) is type``, ``__mro__`` and each base's ``__dict__`` are type's
    own descriptors."""
    if type(cls) is not type or not cls.__flags__ & abi.TPFLAGS_HEAPTYPE:
        return None
    new = init = _MISSING
    for base in cls.__mro__:
        namespace = base.__dict__
        if new is _MISSING and "__new__" in namespace:
            new = namespace["__new__"]
        if init is _MISSING and "__init__" in namespace:
            init = namespace["__init__"]
    if new is not _OBJECT_NEW:
        return None
    if type(init) is not types.FunctionType and type(init) is not funcobject._type:
        return None
    return init


@as_imported      # (it imports, and compiles: see there)
def program_callee(fn, globals_, builtins_, name, owner, _finalizing=sys.is_finalizing):
    """A call site's cache entry for ``fn``, found as ``name`` in the MRO of the class
    ``owner`` (a method; a class's __init__) or, with ``owner`` None, bound to the
    global ``name``: (fn, what the site calls instead, then what that was made from:
    code, defaults, kwdefaults, qualname, name). What it calls is fn's compiled copy
    when fn is a plain function of the caller's module (specialize.program_copy),
    else fn itself; the site stores the entry in its holder, which keeps it alive
    while the site's cache words point at its items (native code, which sets both
    with no thread switch in between). None when fn is not found there (one passed around,
    which the cache must not keep alive) or no copy could be made now (too deep, or
    the interpreter is finalising: imports fail by then)."""
    if _finalizing():
        return None
    from jit import specialize    # deferred: the compiler is imported by then
    from jit.errors import raised_by_program
    found = dict.get(globals_, name) if owner is None else _mro_lookup(owner, name)
    if found is not fn or "<locals>" in fn.__code__.co_qualname:
        return None     # (a function made by a call, a local class's: not kept alive)
    shape = specialize.copy_shape(fn)
    try:
        copy, made_from = specialize.program_copy(fn, globals_, builtins_)
    except RecursionError:
        return None
    except Exception as exc:
        if raised_by_program(exc) or _os.environ.get("JIT_STRICT"):
            raise      # (a signal handler's, say, while compiling: the program's)
        copy = made_from = None      # (a bug of the compiler's: an ordinary call)
    if copy is None or any(a is not b for a, b in zip(shape, made_from)):
        entry = (fn, fn) + shape
    else:
        entry = (fn, copy) + made_from
    return entry


def init_again(obj, *args, **kwargs):
    """The __init__ call of a class instantiation whose class changed while tp_new
    ran (a finaliser rebound its __init__): looked up again, as type's call does
    (its tp_init slot); what it returns is checked by the caller."""
    return type(obj).__init__(obj, *args, **kwargs)


def raise_init_result(result):
    raise TypeError(f"__init__() should return None, not '{_tp_name(type(result))}'")


# ---- raising ----------------------------------------------------------------

def miss_handler(dispatcher):
    """What native dispatch calls when no row matches (Dispatcher.miss). What the
    program raises meanwhile (a signal handler's exception, or KeyboardInterrupt,
    while the call compiles) leaves with the program's own traceback entries only:
    the compiler's frames, and the waits for its compile thread, are no frames the
    interpreter would have (this function's own entry goes too: jit.strip_tb)."""
    def on_miss(*args):
        try:
            return dispatcher.miss(*args)
        except BaseException as exc:
            raise exc.with_traceback(_program_part(exc.__traceback__))
    return on_miss


def _program_part(tb):
    """``tb`` from its first entry of the program's own code on (None if it has none)."""
    import queue
    import threading
    from jit.errors import own_dirs
    internal = own_dirs() + (threading.__file__, queue.__file__)
    while tb is not None and tb.tb_frame.f_code.co_filename.startswith(internal):
        tb = tb.tb_next
    return tb


def raise_recursion_error():
    raise RecursionError("maximum recursion depth exceeded")


def fold_error(exc, step_units):
    """The exception a folded generator expression (see jit.frontend.fold311) raises
    as the generator and its consumer would: one out of the consumer's step (the
    code's last ``step_units`` code units) is the consumer's own, raised outside the
    generator (no entry for its frame); a StopIteration out of the generator's body
    becomes the RuntimeError a generator raises for it."""
    tb = exc.__traceback__
    if tb is not None and len(tb.tb_frame.f_code.co_code) - tb.tb_lasti <= 2 * step_units:
        exc.__traceback__ = tb.tb_next
        return exc
    if isinstance(exc, StopIteration):
        new = RuntimeError("generator raised StopIteration")
        new.__cause__ = exc
        new.__context__ = exc
        return new
    return exc


def raise_empty_fold(kind):
    raise ValueError(f"{kind}() arg is an empty sequence")


def raise_system_error(message):
    raise SystemError(message)


def raise_no_active_exception():
    raise RuntimeError("No active exception to reraise")


def raise_type_error(message):
    raise TypeError(message)


def raise_bad_exception_call(cls, value):
    """``raise cls`` where calling cls made something that is not an exception."""
    raise TypeError(f"calling {cls!r} should have returned an instance of "
                    f"BaseException, not {type(value)!r}")


def _derives(cls, base) -> bool:
    """PyType_IsSubtype: by the MRO, never asking __subclasscheck__ (as `except` does)."""
    return any(m is base for m in _TYPE_MRO.__get__(cls))


CANNOT_CATCH = "catching classes that do not inherit from BaseException is not allowed"


# (helpers raise their errors themselves, not from a nested helper: native code
# drops the one traceback entry of the helper it called)
def _except_type_error(typ, star=False):
    """The TypeError message for an except clause's bad type, or None."""
    items = typ if isinstance(typ, tuple) else (typ,)
    for t in items:
        if not (isinstance(t, type) and _derives(t, BaseException)):
            return CANNOT_CATCH
        if star and _derives(t, BaseExceptionGroup):
            return ("catching ExceptionGroup with except* is not allowed. "
                    "Use except instead.")
    return None


def check_eg_match(exc, typ):
    """CHECK_EG_MATCH: (rest, match) where match is None if nothing matched."""
    bad = _except_type_error(typ, star=True)
    if bad is not None:
        raise TypeError(bad)
    items = typ if isinstance(typ, tuple) else (typ,)
    if any(_derives(type(exc), t) for t in items):     # (by the MRO: no __instancecheck__)
        if isinstance(exc, BaseExceptionGroup):
            return None, exc
        # a tuple, as CPython 3.11 wraps it, and no traceback (re-raised, the group
        # gets no entry for this frame either)
        return None, BaseExceptionGroup("", (exc,))
    if isinstance(exc, BaseExceptionGroup):
        match, rest = exc.split(typ)
        if match is not None:
            return rest, match
    return exc, None


def _leaf_ids(exc, out):
    if isinstance(exc, BaseExceptionGroup):
        for e in exc.exceptions:
            _leaf_ids(e, out)
    else:
        out.add(id(exc))


def _same_metadata(e, orig) -> bool:
    """A re-raise of (part of) the caught group, as CPython's PREP_RERAISE_STAR tells
    one: the same traceback, cause and context objects (a bare ``raise`` keeps them;
    ``raise t`` adds a traceback entry). (3.11 keeps __notes__ in the instance dict,
    outside what it compares.)"""
    return (e.__traceback__ is orig.__traceback__ and e.__cause__ is orig.__cause__
            and e.__context__ is orig.__context__)


def prep_reraise_star(orig, excs):
    """PREP_RERAISE_STAR: combine the raised and re-raised exceptions of except*: the
    re-raised ones as the part of the caught group they came from, after the others,
    in a new group if there is more than one."""
    if not excs:
        return None
    if not isinstance(orig, BaseExceptionGroup):
        # a naked exception was caught and wrapped: only one except* clause ran
        return excs[0]
    raised, reraised = [], []
    for e in excs:
        if e is not None:
            (reraised if _same_metadata(e, orig) else raised).append(e)
    keep = set()
    for e in reraised:
        _leaf_ids(e, keep)
    # the matching part only, as CPython's projection builds it: split() would
    # derive() the rest too, a call a custom group sees
    reraised_eg = BaseExceptionGroup.subgroup(orig, lambda leaf: id(leaf) in keep) if keep else None
    if not raised:
        return reraised_eg
    if reraised_eg is not None:
        raised.append(reraised_eg)
    return BaseExceptionGroup("", raised) if len(raised) > 1 else raised[0]


# ---- unpacking and containers ----------------------------------------------

def _not_iterable(seq):
    """The interpreter's message for unpacking a non-iterable, or None."""
    if not _iterable(seq):
        return f"cannot unpack non-iterable {_tp_name(type(seq))} object"
    return None


def unpack_sequence(seq, count):
    bad = _not_iterable(seq)
    if bad is not None:
        raise TypeError(bad)
    it = iter(seq)
    values = []
    for v in it:
        if len(values) == count:
            raise ValueError(f"too many values to unpack (expected {count})")
        values.append(v)
    if len(values) < count:
        raise ValueError(f"not enough values to unpack (expected {count}, got {len(values)})")
    return tuple(values)


def unpack_ex(seq, before, after):
    bad = _not_iterable(seq)
    if bad is not None:
        raise TypeError(bad)
    it = iter(seq)
    head = []
    while len(head) < before:
        for v in it:
            head.append(v)
            break
        else:
            raise ValueError(f"not enough values to unpack (expected at least "
                             f"{before + after}, got {len(head)})")
    rest = list(it)
    if len(rest) < after:
        raise ValueError(f"not enough values to unpack (expected at least {before + after}, "
                         f"got {before + len(rest)})")
    tail = rest[len(rest) - after:] if after else []
    if after:
        del rest[len(rest) - after:]
    return (*head, rest, *tail)


def list_extend(lst, iterable):
    if not _iterable(iterable):
        raise TypeError(f"Value after * must be an iterable, not {_tp_name(type(iterable))}")
    lst.extend(iterable)


def set_update(s, iterable):
    s.update(iterable)


class _Duplicate(Exception):
    """A key already there (merging for a call's **): the caller words the error."""


def _merge(d, b):
    """_PyDict_MergeEx(d, b, 2): a dict (not iterated otherwise) item by item; anything
    else by ``b.keys()`` and ``b[key]`` (an AttributeError from either says "not a
    mapping" to the caller); a key already in d is a _Duplicate."""
    if _derives(type(b), dict) and _mro_lookup(type(b), "__iter__") is dict.__iter__:
        pairs = dict.items(b)
    else:
        pairs = ((key, _MISSING) for key in _keys_list(b))
    for key, value in pairs:
        if key in d:
            raise _Duplicate(key)
        d[key] = b[key] if value is _MISSING else value


def raise_not_mapping(mapping):
    """DICT_UPDATE's error for a mapping without keys() (jit.merge_error)."""
    raise TypeError(f"'{_tp_name(type(mapping))}' object is not a mapping")


def _func_desc(func):
    """CPython's _PyObject_FunctionStr: 'module.qualname()', or str(func) when it
    has no __qualname__."""
    try:
        qualname = func.__qualname__
    except AttributeError:
        return str(func)
    module = getattr(func, "__module__", None)
    if module is not None and module != "builtins":
        return f"{str(module)}.{str(qualname)}()"
    return f"{str(qualname)}()"


def kwargs_error(func, mapping, key):
    """format_kwargs_error's TypeError for a call's **mapping: not a mapping (key None),
    or the key (in a 1-tuple) given twice."""
    if key is None:
        raise TypeError(f"{_func_desc(func)} argument after ** must be a mapping, not "
                        f"{_tp_name(type(mapping))}")
    raise TypeError(f"{_func_desc(func)} got multiple values for keyword argument "
                    f"'{str(key[0])}'")


def dict_merge(d, mapping, func):
    """A call's **mapping merged into d as DICT_MERGE does it (jit.merge_error)."""
    try:
        _merge(d, mapping)
        return
    except AttributeError:
        key = None
    except _Duplicate as dup:
        key = dup.args
    if key is not None and sys.exc_info()[1] is not None:
        # 3.11: while an exception is handled, the merge's KeyError is made an instance
        # at once (for its context), which format_kwargs_error then lets through
        raise KeyError(key[0])
    kwargs_error(func, mapping, key)


def call_ex_args(func, args, kwargs):
    """CALL_FUNCTION_EX: normalise (args, kwargs) to (tuple, dict or None)."""
    if type(args) is not tuple:
        if not _iterable(args):
            raise TypeError(f"{_func_desc(func)} argument after * must be an iterable, not "
                            f"{_tp_name(type(args))}")
        args = tuple(args)
    if kwargs is not None and type(kwargs) is not dict:
        d = {}
        dict_merge(d, kwargs, func)
        kwargs = d
    return args, kwargs


# ---- with / imports / misc --------------------------------------------------

def raise_no_context_manager(mgr, missed_exit):
    """BEFORE_WITH found no __enter__ (or, missed_exit, no __exit__) on mgr's type."""
    raise TypeError(f"'{_tp_name(type(mgr))}' object does not support the context "
                    "manager protocol" + (" (missed __exit__ method)" if missed_exit else ""))


def import_name(name, fromlist, level, globals, locals, builtins):
    if "__import__" not in builtins:
        raise ImportError("__import__ not found")
    imp = builtins["__import__"]
    return imp(name, globals, locals, fromlist, level)


def import_from(module, name):
    """IMPORT_FROM as ceval's import_from: the attribute, else the submodule in
    sys.modules, else ImportError worded by what the module tells."""
    try:
        return getattr(module, name)
    except AttributeError:
        pass
    try:
        pkgname = module.__name__
    except Exception:
        pkgname = None
    if not isinstance(pkgname, str):
        pkgname = None
    else:
        found = sys.modules.get(f"{pkgname}.{name}", _MISSING)
        if found is not _MISSING:
            return found
    # PyModule_GetFilenameObject: a real module's __dict__["__file__"], if a str
    path = None
    if _derives(type(module), types.ModuleType):
        path = _TYPE_DICT.__get__(types.ModuleType)["__dict__"].__get__(module).get("__file__")
    shown = "<unknown module name>" if pkgname is None else pkgname
    if not isinstance(path, str):
        raise ImportError(f"cannot import name {name!r} from {shown!r} (unknown location)",
                          name=pkgname)
    try:
        initializing = bool(getattr(getattr(module, "__spec__"), "_initializing", False))
    except Exception:
        initializing = False
    if initializing:
        raise ImportError(f"cannot import name {name!r} from partially initialized module "
                          f"{shown!r} (most likely due to a circular import) ({path})",
                          name=pkgname, path=path)
    raise ImportError(f"cannot import name {name!r} from {shown!r} ({path})",
                      name=pkgname, path=path)


def import_star(module, locals):
    """IMPORT_STAR as import_all_from does it: ``__all__`` read by position as a
    sequence (or the public keys of ``__dict__``), each name set in ``locals``."""
    if locals is None:
        raise SystemError("no locals found during 'import *'")
    names = getattr(module, "__all__", _MISSING)
    from_dict = names is _MISSING
    if from_dict:
        namespace = getattr(module, "__dict__", _MISSING)
        if namespace is _MISSING:
            raise ImportError("from-import-* object has no __dict__ and no __all__")
        names = list(namespace) if type(namespace) is dict else _keys_list(namespace)
    pos = 0
    while True:
        try:
            name = _sequence_item(names, pos)
        except IndexError:
            break
        pos += 1
        if not isinstance(name, str):
            modname = module.__name__
            if not isinstance(modname, str):
                raise TypeError(f"module __name__ must be a string, not "
                                f"{_tp_name(type(modname))[:100]}")
            raise TypeError(f"{'Key' if from_dict else 'Item'} in {str(modname)}."
                            f"{'__dict__' if from_dict else '__all__'} must be str, not "
                            f"{_tp_name(type(name))[:100]}")
        if from_dict and name[:1] == "_":
            continue
        value = getattr(module, name)
        if type(locals) is dict:
            dict.__setitem__(locals, name, value)
        else:
            locals[name] = value


def _keys_list(mapping):
    """PyMapping_Keys of a mapping that is not a dict: list(mapping.keys())."""
    keys = mapping.keys()
    try:
        it = iter(keys)
    except TypeError:
        it = None
    if it is None:
        raise TypeError(f"{_tp_name(type(mapping))}.keys() returned a non-iterable "
                        f"(type {_tp_name(type(keys))})")
    return list(it)


def print_expr(value):
    hook = getattr(sys, "displayhook", _MISSING)
    if hook is _MISSING:        # (None is called, and fails, as the interpreter does)
        raise RuntimeError("lost sys.displayhook")
    hook(value)


def annotations_dict(pairs):
    it = iter(pairs)
    return dict(zip(it, it))


# ---- pattern matching -------------------------------------------------------

_TPFLAGS_MATCH_SELF = 1 << 22     # (bool, bytes, dict, float, int, list, str, ...: inherited)
_TYPE_FLAGS = type.__dict__["__flags__"]


def match_class(subject, cls, names, count):
    """MATCH_CLASS: the attributes to match, or None for no match (ceval's
    match_class: by the real type, exact tuples and strs, tp_name in messages)."""
    if not _derives(type(cls), type):
        raise TypeError("called match pattern must be a type")
    if not isinstance(subject, cls):
        return None
    seen = set()
    attrs = []
    if count:
        try:
            match_args = cls.__match_args__
        except AttributeError:
            match_args = _MISSING
        match_self = False
        if match_args is _MISSING:
            match_args = ()
            match_self = bool(_TYPE_FLAGS.__get__(cls) & _TPFLAGS_MATCH_SELF)
        elif type(match_args) is not tuple:
            raise TypeError(f"{_tp_name(cls)}.__match_args__ must be a tuple (got "
                            f"{_tp_name(type(match_args))})")
        allowed = 1 if match_self else len(match_args)
        if allowed < count:
            plural = "" if allowed == 1 else "s"
            raise TypeError(f"{_tp_name(cls)}() accepts {allowed} positional "
                            f"sub-pattern{plural} ({count} given)")
        if match_self:
            attrs.append(subject)
        else:
            for i in range(count):
                name = match_args[i]
                if type(name) is not str:
                    raise TypeError(f"__match_args__ elements must be strings (got "
                                    f"{_tp_name(type(name))})")
                attr = _match_class_attr(subject, cls, name, seen)
                if attr is _MISSING:
                    return None
                attrs.append(attr)
    for name in names:
        attr = _match_class_attr(subject, cls, name, seen)
        if attr is _MISSING:
            return None
        attrs.append(attr)
    return tuple(attrs)


def _match_class_attr(subject, cls, name, seen):
    if name in seen:
        raise TypeError(f"{_tp_name(cls)}() got multiple sub-patterns for attribute {name!r}")
    seen.add(name)
    try:
        return getattr(subject, name)
    except AttributeError:
        return _MISSING


def match_keys(subject, keys):
    """MATCH_KEYS: the values of ``keys`` through ``subject.get(key, dummy)``, or None
    if one is missing."""
    if not keys:
        return ()
    get = subject.get
    seen = set()
    dummy = object()
    values = []
    for key in keys:
        if key in seen:
            raise ValueError(f"mapping pattern checks duplicate key ({key!r})")
        seen.add(key)
        value = get(key, dummy)
        if value is dummy:
            return None
        values.append(value)
    return tuple(values)
