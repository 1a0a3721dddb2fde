"""``CompiledFunction``: the native callable ``jit.compile(f)`` returns.

A heap type made once per process with ``PyType_FromSpec`` (called through
ctypes); its slot functions are LLVM IR compiled by ``jit.engine``.  Calling
an instance goes straight through vectorcall into the compiled entry point:
no Python code and no ctypes on the call path.

Instance layout (byte offsets; the compiler may read these fields)::

    0                  PyObject_HEAD (ob_refcnt, ob_type)
    OFF_VECTORCALL     vectorcallfunc: the compiled entry point
    OFF_DICT           PyObject *  __dict__ (created lazily)
    OFF_WEAKLIST       PyObject *  weak reference list
    OFF_STATE          PyObject *  state: owns the native code and constants
    OFF_FUNC           PyObject *  the original Python function (__jit_func__)
    OFF_BINDER         PyObject *  argument binder (runtime.binding.make_binder)

The entry point is a standard vectorcall function::

    PyObject *entry(PyObject *callable, PyObject *const *args,
                    size_t nargsf, PyObject *kwnames)

where ``callable`` is the CompiledFunction instance (so the entry can load
``state``/``binder`` from the offsets above).  The instance keeps ``state``
alive, and ``state`` owns the code library, so the native code lives exactly
as long as the function object (and any call in progress: the caller holds a
reference to the callable).

The type has Py_TPFLAGS_METHOD_DESCRIPTOR, so ``obj.m(x)`` on a class
attribute takes the interpreter's LOAD_METHOD fast path (no bound method is
created; ``obj`` is prepended to the arguments), and ``tp_descr_get`` binds
like a function (``C.m`` is the object itself, ``C().m`` a bound method).

Function attributes are forwarded: ``__name__``, ``__qualname__``,
``__module__``, ``__doc__``, ``__annotations__``, ``__type_params__`` (3.12+)
live on the binder (a per-function Python function with the same signature;
argument-binding errors use its ``__qualname__``, so renaming the compiled
function renames its error messages, as with a Python function), and setting
them sets the original's too (what a fallback or a deopt runs);
``__defaults__``/``__kwdefaults__`` are read from the binder (the compiled
entry reads them there at call time) and setting them updates both the
binder and the original function (so a fallback to the interpreter sees the
same defaults); ``__code__``, ``__globals__``, ``__closure__``,
``__builtins__`` are the original's (read-only).  These properties are
Python code added to the type after it is made: they are not on the call path.

``tp_clear`` (run by the cycle collector) first points the vectorcall field
at a stub raising ReferenceError, then drops the state: a cleared object
that is still reachable from a finaliser can never jump into freed code.
"""
from __future__ import annotations

from runtime.own_builtins import BUILTINS as __builtins__  # noqa: F401,E402  (see there)
import ctypes
import sys
import threading
import types

from .binding import make_binder

__all__ = ["make_compiled_function", "make_lazy_function", "install", "entry_of",
           "get_state", "get_binder", "is_compiled_function",
           "compiled_function_type", "OFF_VECTORCALL", "OFF_DICT", "OFF_WEAKLIST",
           "OFF_STATE", "OFF_FUNC", "OFF_BINDER", "BASICSIZE"]

# ---------------------------------------------------------------------------
# Facts from the C headers.  Slot ids, flag bits and member type codes are
# part of the stable ABI; they were checked identical in the headers of
# 3.11.7, 3.12.1 and 3.13.0.  A version that differs gets its overrides in
# _VERSION_FACTS (the one place for version-specific details).
_BASE_FACTS = dict(
    TPFLAGS_DISALLOW_INSTANTIATION=1 << 7,
    TPFLAGS_IMMUTABLETYPE=1 << 8,
    TPFLAGS_HAVE_VECTORCALL=1 << 11,
    TPFLAGS_HAVE_GC=1 << 14,
    TPFLAGS_METHOD_DESCRIPTOR=1 << 17,
    TPFLAGS_DEFAULT=1 << 18,          # = Py_TPFLAGS_HAVE_VERSION_TAG
    tp_call=50, tp_clear=51, tp_dealloc=52, tp_descr_get=54, tp_doc=56,
    tp_traverse=71, tp_members=72, tp_getset=73,
    T_OBJECT_EX=16, T_PYSSIZET=19, READONLY=1,
)
_VERSION_FACTS: dict[tuple[int, int], dict] = {(3, 11): {}, (3, 12): {}, (3, 13): {}}
_facts = {**_BASE_FACTS, **_VERSION_FACTS.get(sys.version_info[:2], {})}

# ---------------------------------------------------------------------------
# Instance layout.  The object header is object.__basicsize__ bytes (16 on the
# usual 64-bit builds; larger with Py_TRACE_REFS or free threading).
_PTR = ctypes.sizeof(ctypes.c_void_p)
_HEAD = object.__basicsize__
OFF_VECTORCALL = _HEAD
OFF_DICT = _HEAD + 1 * _PTR
OFF_WEAKLIST = _HEAD + 2 * _PTR
OFF_STATE = _HEAD + 3 * _PTR
OFF_FUNC = _HEAD + 4 * _PTR
OFF_BINDER = _HEAD + 5 * _PTR
BASICSIZE = _HEAD + 6 * _PTR
_OFF_OB_TYPE = _HEAD - _PTR   # ob_type is the last field of PyObject
# offsetof(PyTypeObject, tp_flags): after ob_size and 18 pointer-sized fields
# (tp_name ... tp_as_buffer); checked against type.__flags__ before use.
_OFF_TP_FLAGS = _HEAD + _PTR + 18 * _PTR

_OBJECT_FIELDS = (OFF_DICT, OFF_STATE, OFF_FUNC, OFF_BINDER)   # owned PyObject* fields

TYPE_NAME = "runtime.funcobject.CompiledFunction"
_CLEARED_MESSAGE = "jit-compiled function was cleared by the garbage collector"


# ---------------------------------------------------------------------------
# ctypes mirrors of the C structures PyType_FromSpec reads.
class _PyType_Slot(ctypes.Structure):
    _fields_ = [("slot", ctypes.c_int), ("pfunc", ctypes.c_void_p)]


class _PyType_Spec(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("basicsize", ctypes.c_int),
                ("itemsize", ctypes.c_int), ("flags", ctypes.c_uint),
                ("slots", ctypes.POINTER(_PyType_Slot))]


class _PyMemberDef(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("type", ctypes.c_int),
                ("offset", ctypes.c_ssize_t), ("flags", ctypes.c_int),
                ("doc", ctypes.c_char_p)]


class _PyGetSetDef(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("get", ctypes.c_void_p),
                ("set", ctypes.c_void_p), ("doc", ctypes.c_char_p),
                ("closure", ctypes.c_void_p)]


def _func_address(name: str) -> int:
    addr = ctypes.cast(getattr(ctypes.pythonapi, name), ctypes.c_void_p).value
    if not addr:
        raise RuntimeError(f"C-API function {name} not found")
    return addr


def _data_address(name: str) -> int:
    addr = ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, name))
    if not addr:
        raise RuntimeError(f"C-API data {name} not found")
    return addr


# ---------------------------------------------------------------------------
# Slot functions, as LLVM IR text.
_FUNCTIONS = {
    "Py_IncRef": "declare void @Py_IncRef(ptr)",
    "Py_DecRef": "declare void @Py_DecRef(ptr)",
    "PyMethod_New": "declare ptr @PyMethod_New(ptr, ptr)",
    "PyType_GenericAlloc": "declare ptr @PyType_GenericAlloc(ptr, i64)",
    "PyObject_GC_UnTrack": "declare void @PyObject_GC_UnTrack(ptr)",
    "PyObject_GC_Del": "declare void @PyObject_GC_Del(ptr)",
    "PyObject_ClearWeakRefs": "declare void @PyObject_ClearWeakRefs(ptr)",
    "PyErr_SetString": "declare void @PyErr_SetString(ptr, ptr)",
    "PyObject_CallOneArg": "declare ptr @PyObject_CallOneArg(ptr, ptr)",
    "PyObject_Vectorcall": "declare ptr @PyObject_Vectorcall(ptr, ptr, i64, ptr)",
}
_DATA = {
    "_Py_NoneStruct": "@_Py_NoneStruct = external global i8",
    "PyExc_ReferenceError": "@PyExc_ReferenceError = external global ptr",
}
_EXPORTS = ["jitfo_new", "jitfo_descr_get", "jitfo_traverse", "jitfo_clear",
            "jitfo_dealloc", "jitfo_cleared", "jitfo_lazy", "jitfo_original", "jitfo_install"]


def _slot_ir() -> str:
    msg = _CLEARED_MESSAGE.encode() + b"\0"
    lines = [*_FUNCTIONS.values(), *_DATA.values(),
             f'@jitfo_cleared_msg = private unnamed_addr constant [{len(msg)} x i8] c"{msg[:-1].decode()}\\00"',
             ""]
    # A vectorcall entry installed by tp_clear: the real code may be gone.
    lines.append("""
define ptr @jitfo_cleared(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {
  %exc = load ptr, ptr @PyExc_ReferenceError
  call void @PyErr_SetString(ptr %exc, ptr @jitfo_cleared_msg)
  ret ptr null
}

; tp_descr_get: bind like a function.
define ptr @jitfo_descr_get(ptr %self, ptr %obj, ptr %type) {
entry:
  %isnull = icmp eq ptr %obj, null
  %isnone = icmp eq ptr %obj, @_Py_NoneStruct
  %unbound = or i1 %isnull, %isnone
  br i1 %unbound, label %ret_self, label %bind
ret_self:
  call void @Py_IncRef(ptr %self)
  ret ptr %self
bind:
  %m = call ptr @PyMethod_New(ptr %self, ptr %obj)
  ret ptr %m
}
""")
    lines.append(f"""
; The entry of a function compiled on its first call (jit.jit): its state, called
; with the function, installs the real entry (jitfo_install) or jitfo_original, or
; raises; the call then goes to what is installed.
define ptr @jitfo_lazy(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %ps = getelementptr i8, ptr %callable, i64 {OFF_STATE}
  %st = load ptr, ptr %ps
  call void @Py_IncRef(ptr %st)
  %r = call ptr @PyObject_CallOneArg(ptr %st, ptr %callable)
  call void @Py_DecRef(ptr %st)
  %failed = icmp eq ptr %r, null
  br i1 %failed, label %fail, label %installed
fail:
  ret ptr null
installed:
  call void @Py_DecRef(ptr %r)
  %pv = getelementptr i8, ptr %callable, i64 {OFF_VECTORCALL}
  %fp = load ptr, ptr %pv
  %res = call ptr %fp(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames)
  ret ptr %res
}}

; The entry of a jit.jit function that fell back: the original function runs.
define ptr @jitfo_original(ptr %callable, ptr %args, i64 %nargsf, ptr %kwnames) {{
entry:
  %pf = getelementptr i8, ptr %callable, i64 {OFF_FUNC}
  %f = load ptr, ptr %pf
  %res = call ptr @PyObject_Vectorcall(ptr %f, ptr %args, i64 %nargsf, ptr %kwnames)
  ret ptr %res
}}

; Give a function another entry and state at once (no other thread can see one
; without the other: this runs holding the GIL, with no Python code in between).
define ptr @jitfo_install(ptr %self, ptr %code, ptr %state) {{
entry:
  call void @Py_IncRef(ptr %state)
  %ps = getelementptr i8, ptr %self, i64 {OFF_STATE}
  %old = load ptr, ptr %ps
  store ptr %state, ptr %ps
  %pv = getelementptr i8, ptr %self, i64 {OFF_VECTORCALL}
  store ptr %code, ptr %pv
  call void @Py_DecRef(ptr %old)
  call void @Py_IncRef(ptr @_Py_NoneStruct)
  ret ptr @_Py_NoneStruct
}}

""")
    # Constructor: PyType_GenericAlloc zeroes the object and GC-tracks it.
    body = ["define ptr @jitfo_new(ptr %type, ptr %code, ptr %state, ptr %func, ptr %binder) {",
            "entry:",
            "  %o = call ptr @PyType_GenericAlloc(ptr %type, i64 0)",
            "  %failed = icmp eq ptr %o, null",
            "  br i1 %failed, label %fail, label %ok",
            "fail:",
            "  ret ptr null",
            "ok:",
            f"  %vc = getelementptr i8, ptr %o, i64 {OFF_VECTORCALL}",
            "  store ptr %code, ptr %vc"]
    for name, off in (("state", OFF_STATE), ("func", OFF_FUNC), ("binder", OFF_BINDER)):
        body += [f"  call void @Py_IncRef(ptr %{name})",
                 f"  %p.{name} = getelementptr i8, ptr %o, i64 {off}",
                 f"  store ptr %{name}, ptr %p.{name}"]
    body += ["  ret ptr %o", "}", ""]
    lines += body
    # tp_traverse: visit every owned field and (heap type) the type.
    body = ["define i32 @jitfo_traverse(ptr %self, ptr %visit, ptr %arg) {", "entry:"]
    fields = [("type", _OFF_OB_TYPE)] + [(f"f{off}", off) for off in _OBJECT_FIELDS]
    for i, (name, off) in enumerate(fields):
        nxt = f"field{i + 1}" if i + 1 < len(fields) else "done"
        body += [f"  %p.{name} = getelementptr i8, ptr %self, i64 {off}",
                 f"  %v.{name} = load ptr, ptr %p.{name}",
                 f"  %z.{name} = icmp eq ptr %v.{name}, null",
                 f"  br i1 %z.{name}, label %{nxt}, label %visit.{name}",
                 f"visit.{name}:",
                 f"  %r.{name} = call i32 %visit(ptr %v.{name}, ptr %arg)",
                 f"  %nz.{name} = icmp ne i32 %r.{name}, 0",
                 f"  br i1 %nz.{name}, label %stop.{name}, label %{nxt}",
                 f"stop.{name}:",
                 f"  ret i32 %r.{name}",
                 f"{nxt}:"]
    body += ["  ret i32 0", "}", ""]
    lines += body
    # tp_clear: disarm the entry point, then Py_CLEAR each field.
    body = ["define i32 @jitfo_clear(ptr %self) {",
            "entry:",
            f"  %vc = getelementptr i8, ptr %self, i64 {OFF_VECTORCALL}",
            "  store ptr @jitfo_cleared, ptr %vc"]
    for i, off in enumerate(_OBJECT_FIELDS):
        body += [f"  %p{i} = getelementptr i8, ptr %self, i64 {off}",
                 f"  %v{i} = load ptr, ptr %p{i}",
                 f"  store ptr null, ptr %p{i}",
                 f"  %z{i} = icmp eq ptr %v{i}, null",
                 f"  br i1 %z{i}, label %next{i}, label %dec{i}",
                 f"dec{i}:",
                 f"  call void @Py_DecRef(ptr %v{i})",
                 f"  br label %next{i}",
                 f"next{i}:"]
    body += ["  ret i32 0", "}", ""]
    lines += body
    lines.append(f"""
; tp_dealloc
define void @jitfo_dealloc(ptr %self) {{
entry:
  call void @PyObject_GC_UnTrack(ptr %self)
  %pw = getelementptr i8, ptr %self, i64 {OFF_WEAKLIST}
  %w = load ptr, ptr %pw
  %now = icmp eq ptr %w, null
  br i1 %now, label %clear, label %weak
weak:
  call void @PyObject_ClearWeakRefs(ptr %self)
  br label %clear
clear:
  %r = call i32 @jitfo_clear(ptr %self)
  %pt = getelementptr i8, ptr %self, i64 {_OFF_OB_TYPE}
  %tp = load ptr, ptr %pt
  call void @PyObject_GC_Del(ptr %self)
  call void @Py_DecRef(ptr %tp)
  ret void
}}
""")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# Python-level attributes of the type (not on the call path).
def _binder(obj):
    return obj.__jit_binder__


class _Forward:
    """Data descriptor forwarding an instance attribute to the binder (set on the
    original function too).

    ``owner_value`` is what the attribute means on the type itself: type
    attribute getters (``type.__doc__``) call ``__get__(None, type)``.
    """

    def __init__(self, name, owner_value=None):
        self.name = name
        self.owner_value = owner_value

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.owner_value
        return getattr(_binder(obj), self.name)

    def __set__(self, obj, value):
        setattr(_binder(obj), self.name, value)     # validates, like a function
        # and the original's too: what runs it (a fallback, the interpreter after a
        # deopt) names it in its errors and generator objects
        setattr(obj.__jit_func__, self.name, getattr(_binder(obj), self.name))

    def __delete__(self, obj):
        delattr(_binder(obj), self.name)
        delattr(obj.__jit_func__, self.name)


class _ForwardStr(str):
    """A `_Forward` that is also the str the type's own ``__module__`` must be.

    ``type.__module__`` returns the raw value in the type's dict (no
    ``__get__`` call), and ``repr(type)`` needs it to be a str.
    """

    def __new__(cls, name, owner_value):
        self = super().__new__(cls, owner_value)
        self.name = name
        return self

    __get__ = _Forward.__get__
    __set__ = _Forward.__set__
    __delete__ = _Forward.__delete__

    @property
    def owner_value(self):
        return str(self)


class _ForwardTuple(tuple):
    """A `_Forward` that is also the () ``type.__type_params__`` returns raw (3.12+)."""

    def __new__(cls, name):
        self = super().__new__(cls)
        self.name = name
        return self

    owner_value = ()
    __get__ = _Forward.__get__
    __set__ = _Forward.__set__
    __delete__ = _Forward.__delete__


def _set_defaults(attr):
    def setter(self, value):
        setattr(_binder(self), attr, value)          # validates, like a function
        setattr(self.__jit_func__, attr, getattr(_binder(self), attr))

    def deleter(self):
        delattr(_binder(self), attr)
        delattr(self.__jit_func__, attr)
    return setter, deleter


def _readonly(attr, message="readonly attribute"):
    def getter(self):
        return getattr(self.__jit_func__, attr)

    def setter(self, value):
        raise AttributeError(message)
    return property(getter, setter, setter, f"The original function's {attr} (read-only).")


# __wrapped__: what functools.wraps stores, kept in the instance dict (a plain
# function's is a writable attribute); unset, the original Python function
def _get_wrapped(self):
    given = _dict_of(self).get("__wrapped__", _UNSET)
    return self.__jit_func__ if given is _UNSET else given


def _set_wrapped(self, value):
    _dict_of(self)["__wrapped__"] = value


def _del_wrapped(self):
    if _dict_of(self).pop("__wrapped__", _UNSET) is _UNSET:
        raise AttributeError("__wrapped__")


_UNSET = object()


def _dict_of(self):
    return object.__getattribute__(self, "__dict__")


def _repr(self):
    try:
        name = self.__qualname__
    except AttributeError:          # cleared by the garbage collector
        name = "(cleared)"
    return f"<jit-compiled function {name} at {id(self):#x}>"


# type.__new__ makes a plain function under these names a classmethod or a
# staticmethod (it asks PyFunction_Check, which a compiled function fails): so does
# __set_name__, called once the class exists
_IMPLICIT_WRAPPERS = {"__init_subclass__": classmethod, "__class_getitem__": classmethod,
                      "__new__": staticmethod}


def _set_name(self, owner, name):
    wrap = _IMPLICIT_WRAPPERS.get(name)
    if wrap is not None and isinstance(owner, type) and owner.__dict__.get(name) is self:
        setattr(owner, name, wrap(self))


def _reduce(self):
    # Pickle by reference (module + qualname), like a Python function.
    return self.__qualname__


def _copy(self):
    return self


def _deepcopy(self, memo):
    return self


def _python_attributes(type_doc):
    attrs = {
        "__name__": _Forward("__name__"),
        "__qualname__": _Forward("__qualname__"),
        "__doc__": _Forward("__doc__", type_doc),
        "__module__": _ForwardStr("__module__", TYPE_NAME.rpartition(".")[0]),
        "__annotations__": _Forward("__annotations__", {}),
        "__defaults__": property(lambda self: _binder(self).__defaults__,
                                 *_set_defaults("__defaults__"),
                                 doc="Default values of positional parameters."),
        "__kwdefaults__": property(lambda self: _binder(self).__kwdefaults__,
                                   *_set_defaults("__kwdefaults__"),
                                   doc="Default values of keyword-only parameters."),
        "__code__": _readonly("__code__", "the __code__ of a jit-compiled function cannot be replaced"),
        "__globals__": _readonly("__globals__"),
        "__closure__": _readonly("__closure__"),
        "__builtins__": _readonly("__builtins__"),
        "__wrapped__": property(_get_wrapped, _set_wrapped, _del_wrapped,
                                doc="The original function, unless set (functools.wraps)."),
        "__repr__": _repr,
        "__set_name__": _set_name,
        "__reduce__": _reduce,
        "__copy__": _copy,
        "__deepcopy__": _deepcopy,
    }
    if hasattr(types.FunctionType, "__type_params__"):   # 3.12+
        attrs["__type_params__"] = _ForwardTuple("__type_params__")
    return attrs


# ---------------------------------------------------------------------------
_lock = threading.Lock()
_type = None
_new = None
_symbols = {}     # slot function name -> address (for tests and the curious)
_install_entry = None
_keepalive = []   # library, spec structures, strings: never freed (made immortal below)


def _create_type():
    from jit import engine  # deferred: importing llvmlite is slow

    f = _facts
    imports = {name: _func_address(name) for name in _FUNCTIONS}
    imports.update({name: _data_address(name) for name in _DATA})
    lib = engine.compile_ir(_slot_ir(), exports=_EXPORTS, imports=imports)
    sym = {name: lib.address(name) for name in _EXPORTS}
    _symbols.update(sym)

    doc = (b"A function compiled to native code by jit; behaves like the "
           b"original Python function (see __wrapped__).")
    RO = f["READONLY"]
    members = (_PyMemberDef * 7)(
        _PyMemberDef(b"__vectorcalloffset__", f["T_PYSSIZET"], OFF_VECTORCALL, RO, None),
        _PyMemberDef(b"__dictoffset__", f["T_PYSSIZET"], OFF_DICT, RO, None),
        _PyMemberDef(b"__weaklistoffset__", f["T_PYSSIZET"], OFF_WEAKLIST, RO, None),
        _PyMemberDef(b"__jit_state__", f["T_OBJECT_EX"], OFF_STATE, RO,
                     b"The compiler's state: owns the native code and its constants."),
        _PyMemberDef(b"__jit_func__", f["T_OBJECT_EX"], OFF_FUNC, RO,
                     b"The original Python function."),
        _PyMemberDef(b"__jit_binder__", f["T_OBJECT_EX"], OFF_BINDER, RO,
                     b"The argument binder (runtime.binding.make_binder)."),
        _PyMemberDef(None, 0, 0, 0, None),
    )
    getset = (_PyGetSetDef * 2)(
        _PyGetSetDef(b"__dict__", _func_address("PyObject_GenericGetDict"),
                     _func_address("PyObject_GenericSetDict"), None, None),
        _PyGetSetDef(None, None, None, None, None),
    )
    slots = (_PyType_Slot * 9)(
        _PyType_Slot(f["tp_call"], _func_address("PyVectorcall_Call")),
        _PyType_Slot(f["tp_descr_get"], sym["jitfo_descr_get"]),
        _PyType_Slot(f["tp_traverse"], sym["jitfo_traverse"]),
        _PyType_Slot(f["tp_clear"], sym["jitfo_clear"]),
        _PyType_Slot(f["tp_dealloc"], sym["jitfo_dealloc"]),
        _PyType_Slot(f["tp_members"], ctypes.addressof(members)),
        _PyType_Slot(f["tp_getset"], ctypes.addressof(getset)),
        _PyType_Slot(f["tp_doc"], ctypes.cast(ctypes.c_char_p(doc), ctypes.c_void_p).value),
        _PyType_Slot(0, None),
    )
    name = TYPE_NAME.encode()
    flags = (f["TPFLAGS_DEFAULT"] | f["TPFLAGS_HAVE_GC"] | f["TPFLAGS_HAVE_VECTORCALL"]
             | f["TPFLAGS_METHOD_DESCRIPTOR"] | f["TPFLAGS_DISALLOW_INSTANTIATION"])
    spec = _PyType_Spec(name, BASICSIZE, 0, flags, slots)
    _keepalive.extend([lib, members, getset, slots, name, doc, spec])

    from_spec = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.c_void_p)(
        ("PyType_FromSpec", ctypes.pythonapi))
    tp = from_spec(ctypes.addressof(spec))
    _add_attributes(tp, _python_attributes(tp.__doc__))
    _make_immutable(tp, f)

    new = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.c_void_p,
                            ctypes.py_object, ctypes.py_object, ctypes.py_object)(sym["jitfo_new"])
    global _install_entry
    _install_entry = ctypes.PYFUNCTYPE(ctypes.py_object, ctypes.py_object, ctypes.c_void_p,
                                       ctypes.py_object)(sym["jitfo_install"])
    _keepalive.extend([tp, new, _install_entry])
    # The slot code must outlive every instance, including at interpreter exit.
    ctypes.pythonapi.Py_IncRef(ctypes.py_object(_keepalive))
    return tp, new


def _add_attributes(tp, attrs):
    """Add ``attrs`` to the (still mutable) type.

    ``setattr`` keeps the type's slots in step with its dict (``__repr__`` ->
    tp_repr).  But ``setattr(tp, "__name__", ...)`` would rename the type
    (the metatype's data descriptors win), so ``__name__``/``__qualname__``
    are written into the type's dict directly, and the layout members
    (``__vectorcalloffset__`` ...; the offsets are module constants here)
    are taken out of it.
    """
    import gc
    (tp_dict,) = [d for d in gc.get_referents(tp.__dict__) if type(d) is dict]
    for attr, value in attrs.items():
        if attr in ("__name__", "__qualname__"):
            tp_dict[attr] = value
        else:
            setattr(tp, attr, value)
    for attr in ("__vectorcalloffset__", "__dictoffset__", "__weaklistoffset__"):
        tp_dict.pop(attr, None)
    modified = ctypes.PYFUNCTYPE(None, ctypes.py_object)(("PyType_Modified", ctypes.pythonapi))
    modified(tp)


def _make_immutable(tp, f):
    """Set Py_TPFLAGS_IMMUTABLETYPE now that the Python attributes are in.

    Users must not patch the shared type (assigning ``__call__`` would, on
    3.12+, also drop vectorcall for every compiled function).  Done only if
    tp_flags is where we expect it.
    """
    flags = ctypes.c_ulong.from_address(id(tp) + _OFF_TP_FLAGS)
    if flags.value == tp.__flags__ and not tp.__flags__ & f["TPFLAGS_IMMUTABLETYPE"]:
        flags.value = tp.__flags__ | f["TPFLAGS_IMMUTABLETYPE"]


def compiled_function_type() -> type:
    """The CompiledFunction type (created on first use)."""
    global _type, _new
    if _type is None:
        with _lock:
            if _type is None:
                _type, _new = _create_type()
    return _type


def __getattr__(name):
    if name == "CompiledFunction":
        return compiled_function_type()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
def make_compiled_function(original: types.FunctionType, entry_address: int, state: object,
                           binder: types.FunctionType | None = None):
    """A CompiledFunction calling native ``entry_address``, keeping ``state`` alive.

    ``binder`` (default: ``make_binder(original)``) holds the name, qualname,
    module, doc, defaults and annotations seen through the object; pass the
    one the compiled code uses, or read it back with ``get_binder``.
    """
    if not isinstance(original, types.FunctionType):
        raise TypeError(f"expected a Python function, not {type(original).__name__}")
    if not isinstance(entry_address, int) or entry_address <= 0:
        raise ValueError(f"bad entry address {entry_address!r}")
    if binder is None:
        binder = make_binder(original)
    tp = compiled_function_type()
    obj = _new(tp, entry_address, state, original, binder)
    if original.__dict__:
        obj.__dict__.update(original.__dict__)
    return obj


def make_lazy_function(original: types.FunctionType, state: object):
    """A CompiledFunction whose first call runs ``state(obj)``, which must install the
    real code (``install``) or raise; until then ``state`` is its state."""
    compiled_function_type()       # (made with the slot functions)
    return make_compiled_function(original, _symbols["jitfo_lazy"], state)


def install(obj, entry_address: int | None, state: object):
    """Point ``obj`` at native ``entry_address`` with ``state`` (one step: a call in
    another thread sees both or neither); None: call the original function."""
    if not is_compiled_function(obj):
        raise TypeError(f"not a jit-compiled function: {obj!r}")
    _install_entry(obj, entry_address or _symbols["jitfo_original"], state)


def entry_of(obj) -> int:
    """The native entry ``obj`` calls."""
    return ctypes.c_void_p.from_address(id(obj) + OFF_VECTORCALL).value


def is_compiled_function(obj) -> bool:
    return _type is not None and type(obj) is _type


def get_state(obj):
    """The state object ``obj`` keeps alive (also ``obj.__jit_state__``)."""
    if not is_compiled_function(obj):
        raise TypeError(f"not a jit-compiled function: {obj!r}")
    return obj.__jit_state__


def get_binder(obj):
    """The argument binder of ``obj`` (also ``obj.__jit_binder__``)."""
    if not is_compiled_function(obj):
        raise TypeError(f"not a jit-compiled function: {obj!r}")
    return obj.__jit_binder__
