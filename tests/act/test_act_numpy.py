"""numpy float64 oracle for gk_rope_table_f32 (the public entry added with issue 4), on every ISA
level this CPU supports: rows of a cos/sin table picked by position, both layouts, a token
stride with padding, against the rotation in float64 of the float32 inputs.

Tolerance: the kernel rounds x0*c, x1*s and their sum in float32 (3 roundings of values bounded
by |x0| + |x1|), so |got - want| <= 2 * 2^-24 * (|x0| + |x1|) per output, with margin: 4 * 2^-24."""
import ctypes
import os
import sys

import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "python"))
import gk  # noqa: E402  (the project's ctypes binding, tests/python/gk.py)

EPS = 2.0 ** -24
gk.lib.gk_rope_table_f32.restype = ctypes.c_int
gk.lib.gk_rope_table_f32.argtypes = [ctypes.c_int64, ctypes.c_int64, ctypes.c_int64, gk._FP, ctypes.c_int64,
                                     gk._I32P, gk._FP, gk._FP, ctypes.c_int64, ctypes.c_int]


@pytest.fixture(autouse=True, params=[gk.ISA_SCALAR, gk.ISA_AVX2, gk.ISA_AVX512], ids=["scalar", "avx2", "avx512"])
def isa_level(request):
    best = gk.lib.gk_get_isa()
    if request.param > best:
        pytest.skip("ISA level not supported by this CPU")
    gk.check(gk.lib.gk_set_isa(request.param))
    yield request.param
    gk.check(gk.lib.gk_set_isa(best))


@pytest.mark.parametrize("layout", [gk.ROPE_INTERLEAVED, gk.ROPE_NEOX])
@pytest.mark.parametrize("heads,hd,pad", [(1, 2, 0), (3, 10, 1), (2, 64, 5), (4, 128, 0), (1, 2050, 3)])
def test_rope_table(layout, heads, hd, pad):
    r = np.random.default_rng(hd + pad)
    tokens, ld, half, rows = 7, heads * hd + pad, hd // 2, 11
    x, base = gk.strided(tokens, heads * hd, ld, r, -2, 2, fill=7.0)
    orig = x.astype(np.float64)
    ang = r.uniform(-50, 50, size=(rows, half))
    cos_t, sin_t = np.cos(ang).astype(np.float32), np.sin(ang).astype(np.float32)
    pos = r.integers(0, rows, size=tokens).astype(np.int32)
    gk.check(gk.lib.gk_rope_table_f32(tokens, heads, hd, gk.fp(x), ld, gk.i32p(pos), gk.fp(cos_t), gk.fp(sin_t),
                                      rows, layout))
    for t in range(tokens):
        c, s = cos_t[pos[t]].astype(np.float64), sin_t[pos[t]].astype(np.float64)
        for h in range(heads):
            v, got = orig[t, h * hd:(h + 1) * hd], x[t, h * hd:(h + 1) * hd].astype(np.float64)
            sel = (lambda a: (a[:half], a[half:])) if layout == gk.ROPE_NEOX else (lambda a: (a[0::2], a[1::2]))
            (x0, x1), (g0, g1) = sel(v), sel(got)
            tol = 4 * EPS * (np.abs(x0) + np.abs(x1))
            assert np.all(np.abs(g0 - (x0 * c - x1 * s)) <= tol)
            assert np.all(np.abs(g1 - (x0 * s + x1 * c)) <= tol)
    assert (base.reshape(tokens, ld)[:, heads * hd:] == 7.0).all()  # token padding untouched


def test_rope_table_errors():
    x = np.arange(8, dtype=np.float32)
    c = np.ones(4, np.float32)
    pos = np.array([0, 3], np.int32)
    st = gk.lib.gk_rope_table_f32(2, 1, 4, gk.fp(x), 4, gk.i32p(pos), gk.fp(c), gk.fp(c), 2, gk.ROPE_NEOX)
    assert st == gk.ERR_INVALID_ARG and "pos[1]" in gk.last_error()
    assert (x == np.arange(8, dtype=np.float32)).all()
