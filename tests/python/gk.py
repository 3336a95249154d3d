"""Small ctypes binding of gllm-kernels for the oracle tests.

The shared library comes from the environment variable GK_LIB (ctest sets it). `lib` has the
argument and return types of the public ops API (include/gk/ops.h) and of the exported scalar
definitions (src/scalar/scalar.h) declared, so tests can call it directly; the helpers below
turn numpy arrays into pointers and name the status codes.
"""
import ctypes
import os

import numpy as np

OK, ERR_INVALID_ARG, ERR_UNSUPPORTED, ERR_NO_MEMORY, ERR_JIT, ERR_INTERNAL = range(6)
ISA_SCALAR, ISA_AVX2, ISA_AVX512, ISA_NEON = range(4)
ROPE_INTERLEAVED, ROPE_NEOX = 0, 1

_I64 = ctypes.c_int64
_F = ctypes.c_float
_FP = ctypes.POINTER(ctypes.c_float)
_I32P = ctypes.POINTER(ctypes.c_int32)
_ST = ctypes.c_int  # gk_status is a C enum
_VP = ctypes.c_void_p

_SIGNATURES = {
    # runtime
    "gk_status_str": (ctypes.c_char_p, [_ST]),
    "gk_last_error": (ctypes.c_char_p, []),
    "gk_set_num_threads": (_ST, [ctypes.c_int]),
    "gk_get_num_threads": (ctypes.c_int, []),
    "gk_set_isa": (_ST, [ctypes.c_int]),
    "gk_get_isa": (ctypes.c_int, []),
    # public ops
    "gk_vec_dot_f32": (_ST, [_I64, _FP, _FP, _FP]),
    "gk_vec_add_f32": (_ST, [_I64, _FP, _FP, _FP]),
    "gk_vec_mul_f32": (_ST, [_I64, _FP, _FP, _FP]),
    "gk_vec_scale_f32": (_ST, [_I64, _FP, _F, _FP]),
    "gk_vec_axpy_f32": (_ST, [_I64, _F, _FP, _FP]),
    "gk_vec_sum_f32": (_ST, [_I64, _FP, _FP]),
    "gk_vec_max_f32": (_ST, [_I64, _FP, _FP]),
    "gk_gemv_f32": (_ST, [_I64, _I64, _FP, _I64, _FP, _FP]),
    "gk_gemm_f32": (_ST, [_I64, _I64, _I64, _FP, _I64, _FP, _I64, _FP, _I64]),
    "gk_gemm_bias_f32": (_ST, [_I64, _I64, _I64, _FP, _I64, _FP, _I64, _FP, _FP, _I64]),
    "gk_gemm_bt_f32": (_ST, [_I64, _I64, _I64, _FP, _I64, _FP, _I64, _FP, _I64]),
    "gk_pack_b_f32": (_ST, [_I64, _I64, _FP, _I64, ctypes.c_int, ctypes.POINTER(_VP)]),
    "gk_gemm_prepacked_f32": (_ST, [_I64, _FP, _I64, _VP, _FP, _I64]),
    "gk_packed_b_free": (None, [_VP]),
    "gk_silu_f32": (_ST, [_I64, _FP, _FP]),
    "gk_gelu_tanh_f32": (_ST, [_I64, _FP, _FP]),
    "gk_gelu_erf_f32": (_ST, [_I64, _FP, _FP]),
    "gk_relu_f32": (_ST, [_I64, _FP, _FP]),
    "gk_tanh_f32": (_ST, [_I64, _FP, _FP]),
    "gk_exp_f32": (_ST, [_I64, _FP, _FP]),
    "gk_swiglu_f32": (_ST, [_I64, _FP, _FP, _FP]),
    "gk_softmax_f32": (_ST, [_I64, _I64, _FP, _I64, _FP, _I64]),
    "gk_rms_norm_f32": (_ST, [_I64, _I64, _FP, _I64, _FP, _F, _FP, _I64]),
    "gk_layer_norm_f32": (_ST, [_I64, _I64, _FP, _I64, _FP, _FP, _F, _FP, _I64]),
    "gk_rope_f32": (_ST, [_I64, _I64, _I64, _FP, _I64, _I32P, _F, ctypes.c_int]),
    # scalar definitions
    "gk_scalar_silu": (_F, [_F]),
    "gk_scalar_gelu_tanh": (_F, [_F]),
    "gk_scalar_gelu_erf": (_F, [_F]),
    "gk_scalar_relu": (_F, [_F]),
    "gk_scalar_tanh": (_F, [_F]),
    "gk_scalar_exp": (_F, [_F]),
    "gk_scalar_swiglu": (_F, [_F, _F]),
    "gk_scalar_vec_dot": (_F, [_FP, _FP, _I64]),
    "gk_scalar_vec_add": (None, [_FP, _FP, _FP, _I64]),
    "gk_scalar_vec_mul": (None, [_FP, _FP, _FP, _I64]),
    "gk_scalar_vec_scale": (None, [_FP, _FP, _I64, _F]),
    "gk_scalar_vec_axpy": (None, [_FP, _FP, _FP, _I64, _F]),
    "gk_scalar_vec_sum": (_F, [_FP, _I64]),
    "gk_scalar_vec_max": (_F, [_FP, _I64]),
    "gk_scalar_softmax": (None, [_FP, _FP, _I64]),
    "gk_scalar_rms_norm": (None, [_FP, _FP, _FP, _I64, _F]),
    "gk_scalar_layer_norm": (None, [_FP, _FP, _FP, _FP, _I64, _F]),
    "gk_scalar_rope_interleaved": (None, [_FP, _FP, _I64, _F, _F]),
    "gk_scalar_rope_neox": (None, [_FP, _FP, _I64, _F, _F]),
    "gk_scalar_gemv": (None, [_I64, _I64, _FP, _FP, _FP]),
    "gk_scalar_gemm": (None, [_I64, _I64, _I64, _FP, _FP, _FP]),
    "gk_scalar_gemm_bt": (None, [_I64, _I64, _I64, _FP, _FP, _FP]),
    "gk_scalar_gemm_bias": (None, [_I64, _I64, _I64, _FP, _FP, _FP, _FP]),
    "gk_scalar_gemv_ld": (None, [_I64, _I64, _FP, _I64, _FP, _FP]),
    "gk_scalar_gemm_ld": (None, [_I64, _I64, _I64, _FP, _I64, _FP, _I64, _FP, _FP, _I64]),
    "gk_scalar_gemm_bt_ld": (None, [_I64, _I64, _I64, _FP, _I64, _FP, _I64, _FP, _FP, _I64]),
}


def _load():
    path = os.environ.get("GK_LIB")
    if not path:
        raise RuntimeError("GK_LIB is not set: point it at libgllm_kernels.so (ctest does)")
    lib = ctypes.CDLL(path)
    for name, (restype, argtypes) in _SIGNATURES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    return lib


lib = _load()


def fp(a):
    """float * to the first element of a float32 array (or view); None stays NULL."""
    if a is None:
        return None
    assert a.dtype == np.float32
    return ctypes.cast(ctypes.c_void_p(a.ctypes.data), _FP)


def i32p(a):
    if a is None:
        return None
    assert a.dtype == np.int32
    return ctypes.cast(ctypes.c_void_p(a.ctypes.data), _I32P)


def last_error():
    return lib.gk_last_error().decode()


def status_str(s):
    return lib.gk_status_str(s).decode()


class GkError(Exception):
    def __init__(self, status):
        self.status = status
        super().__init__(f"{status_str(status)}: {last_error()}")


def check(status):
    if status != OK:
        raise GkError(status)


def strided(rows, cols, ld, rng=None, lo=-1.0, hi=1.0, fill=np.nan):
    """A rows-by-cols float32 view with row stride ld elements (padding filled with `fill`)
    and the base array it lives in."""
    base = np.full(max(rows * ld, 1), fill, dtype=np.float32)
    view = base[: rows * ld].reshape(rows, ld)[:, :cols] if rows else np.zeros((0, cols), np.float32)
    if rng is not None and rows and cols:
        view[...] = rng.uniform(lo, hi, size=(rows, cols)).astype(np.float32)
    return view, base


def scalar_map(name, *arrays):
    """Apply an elementwise scalar definition (float -> float) to float32 arrays."""
    fn = getattr(lib, name)
    flat = [np.asarray(a, dtype=np.float32).ravel() for a in arrays]
    out = np.array([fn(*(float(a[i]) for a in flat)) for i in range(flat[0].size)], dtype=np.float32)
    return out.reshape(np.shape(arrays[0]))


class PackedB:
    """Owns a struct gk_packed_b * from gk_pack_b_f32."""

    def __init__(self, k, n, b, ldb, trans_b):
        self.ptr = ctypes.c_void_p()
        check(lib.gk_pack_b_f32(k, n, fp(b), ldb, trans_b, ctypes.byref(self.ptr)))

    def close(self):
        if self.ptr:
            lib.gk_packed_b_free(self.ptr)
            self.ptr = ctypes.c_void_p()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
