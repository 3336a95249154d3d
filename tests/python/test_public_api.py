"""The public ops entry points (include/gk/ops.h) against numpy float64, with leading-dimension
and stride variants, and their documented error codes (GK_ERR_INVALID_ARG with a message, output
untouched). Runs on every ISA level this CPU supports; tolerances allow for SIMD kernels (stated
per check).
EPS is FLT_EPSILON = 2^-23.
"""
import ctypes
from math import erf

import numpy as np
import pytest

import gk

EPS = float(np.finfo(np.float32).eps)
SIZES = [0, 1, 7, 8, 9, 15, 16, 17, 33, 1000, 4097]


def rng(seed):
    return np.random.default_rng(seed)


@pytest.fixture(autouse=True, params=[gk.ISA_SCALAR, gk.ISA_AVX2, gk.ISA_AVX512], ids=["scalar", "avx2", "avx512"])
def isa_level(request):
    """Every test runs once per ISA level this CPU supports (the others are skipped)."""
    best = gk.lib.gk_get_isa()
    if request.param > best:
        pytest.skip("ISA level not supported by this CPU")
    gk.check(gk.lib.gk_set_isa(request.param))
    yield request.param
    gk.check(gk.lib.gk_set_isa(best))


def close(got, want, tol):
    got = np.asarray(got, np.float64)
    want = np.asarray(want, np.float64)
    assert np.array_equal(np.isnan(got), np.isnan(want))
    fin = ~np.isnan(want)
    err = np.abs(got[fin] - want[fin])
    tol = np.broadcast_to(tol, want.shape)[fin]
    assert (err <= tol).all(), f"max excess {np.max(err - tol)}"


def invalid(status, *needles):
    assert status == gk.ERR_INVALID_ARG, gk.status_str(status)
    msg = gk.last_error()
    for s in needles:
        assert s in msg, msg


# ---- BLAS-1 --------------------------------------------------------------------------------

@pytest.mark.parametrize("n", SIZES)
def test_blas1(n):
    r = rng(n)
    x = r.uniform(-2, 2, n).astype(np.float32)
    y = r.uniform(-2, 2, n).astype(np.float32)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    out = np.full(1, np.nan, np.float32)
    gk.check(gk.lib.gk_vec_dot_f32(n, gk.fp(x), gk.fp(y), gk.fp(out)))
    # any summation order of n terms: within n*EPS*sum|terms| of the exact value
    assert abs(out[0] - np.dot(x64, y64)) <= n * EPS * np.sum(np.abs(x64 * y64))
    gk.check(gk.lib.gk_vec_sum_f32(n, gk.fp(x), gk.fp(out)))
    assert abs(out[0] - np.sum(x64)) <= n * EPS * np.sum(np.abs(x64))
    gk.check(gk.lib.gk_vec_max_f32(n, gk.fp(x), gk.fp(out)))
    assert out[0] == (np.max(x) if n else -np.inf)

    o = np.full(n, np.nan, np.float32)
    gk.check(gk.lib.gk_vec_add_f32(n, gk.fp(x), gk.fp(y), gk.fp(o)))
    assert np.array_equal(o, x + y)  # one rounding: exact on every level
    gk.check(gk.lib.gk_vec_mul_f32(n, gk.fp(x), gk.fp(y), gk.fp(o)))
    assert np.array_equal(o, x * y)
    gk.check(gk.lib.gk_vec_scale_f32(n, gk.fp(x), 3.5, gk.fp(o)))
    assert np.array_equal(o, np.float32(3.5) * x)
    o[...] = y
    gk.check(gk.lib.gk_vec_axpy_f32(n, -0.75, gk.fp(x), gk.fp(o)))
    # a SIMD level may fuse the multiply-add: one rounding of |y| + |alpha x|
    close(o, y64 - 0.75 * x64, EPS * (np.abs(y64) + 0.75 * np.abs(x64)))


def test_blas1_errors():
    x = np.ones(8, np.float32)
    out = np.full(8, np.nan, np.float32)
    invalid(gk.lib.gk_vec_add_f32(-1, gk.fp(x), gk.fp(x), gk.fp(out)), "gk_vec_add_f32", "n")
    invalid(gk.lib.gk_vec_add_f32(8, None, gk.fp(x), gk.fp(out)), "gk_vec_add_f32", "x is NULL")
    invalid(gk.lib.gk_vec_dot_f32(8, gk.fp(x), gk.fp(x), None), "gk_vec_dot_f32", "out is NULL")
    invalid(gk.lib.gk_vec_sum_f32(2**62, gk.fp(x), gk.fp(out)), "gk_vec_sum_f32", "x")
    invalid(gk.lib.gk_vec_scale_f32(7, gk.fp(out[1:]), 2.0, gk.fp(out)), "gk_vec_scale_f32", "overlaps")
    assert np.isnan(out).all()
    assert gk.lib.gk_vec_add_f32(0, None, None, None) == gk.OK


# ---- GEMV / GEMM ---------------------------------------------------------------------------

def gemm_tol(a, b, k):
    # two summation orders of k products: 2 k EPS sum|a||b| apart at most
    return 2 * k * EPS * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64))) + 1e-30


@pytest.mark.parametrize("n,k,pad", [(1, 1, 0), (7, 9, 1), (16, 33, 5), (64, 1000, 3), (33, 4097, 0)])
def test_gemv(n, k, pad):
    r = rng(n * k)
    a, _ = gk.strided(n, k, k + pad, r)
    x = r.uniform(-1, 1, k).astype(np.float32)
    y = np.full(n, np.nan, np.float32)
    gk.check(gk.lib.gk_gemv_f32(n, k, gk.fp(a), k + pad, gk.fp(x), gk.fp(y)))
    close(y, a.astype(np.float64) @ x.astype(np.float64), gemm_tol(a, x[:, None], k)[:, 0])


SHAPES = [(1, 1, 1), (5, 16, 7), (6, 16, 16), (7, 17, 15), (15, 33, 6), (33, 5, 17), (16, 1, 33), (70, 130, 300)]


@pytest.mark.parametrize("m,n,k", SHAPES)
@pytest.mark.parametrize("variant", ["nn", "bias", "bt", "packed", "packed_bt"])
def test_gemm(m, n, k, variant):
    r = rng(m + 100 * n + 10000 * k)
    bt = variant in ("bt", "packed_bt")
    lda, ldb, ldc = k + 1, (k if bt else n) + 3, n + 2
    a, _ = gk.strided(m, k, lda, r)
    b, _ = gk.strided(n, k, ldb, r) if bt else gk.strided(k, n, ldb, r)
    bias = r.uniform(-1, 1, n).astype(np.float32)
    c, cbase = gk.strided(m, n, ldc)
    bd = b.T if bt else b
    if variant == "nn":
        gk.check(gk.lib.gk_gemm_f32(m, n, k, gk.fp(a), lda, gk.fp(b), ldb, gk.fp(c), ldc))
    elif variant == "bias":
        gk.check(gk.lib.gk_gemm_bias_f32(m, n, k, gk.fp(a), lda, gk.fp(b), ldb, gk.fp(bias), gk.fp(c), ldc))
    elif variant == "bt":
        gk.check(gk.lib.gk_gemm_bt_f32(m, n, k, gk.fp(a), lda, gk.fp(b), ldb, gk.fp(c), ldc))
    else:
        with gk.PackedB(k, n, b, ldb, int(bt)) as pb:
            gk.check(gk.lib.gk_gemm_prepacked_f32(m, gk.fp(a), lda, pb.ptr, gk.fp(c), ldc))
    want = a.astype(np.float64) @ bd.astype(np.float64)
    tol = gemm_tol(a, bd, k)
    if variant == "bias":
        want = want + bias
        tol = tol + EPS * np.abs(want)
    close(c, want, tol)
    assert np.isnan(cbase.reshape(m, ldc)[:, n:]).all()  # row padding of C untouched


def test_gemm_errors():
    a = np.ones(64, np.float32)
    c = np.full(64, np.nan, np.float32)
    invalid(gk.lib.gk_gemm_f32(4, 4, 4, gk.fp(a), 3, gk.fp(a), 4, gk.fp(c), 4), "gk_gemm_f32: lda (3) < k (4)")
    invalid(gk.lib.gk_gemm_bt_f32(4, 4, 5, gk.fp(a), 5, gk.fp(a), 4, gk.fp(c), 4), "gk_gemm_bt_f32", "ldb (4) < k (5)")
    invalid(gk.lib.gk_gemm_f32(4, 4, 4, gk.fp(c[8:]), 4, gk.fp(a), 4, gk.fp(c), 4), "gk_gemm_f32", "overlaps")
    invalid(gk.lib.gk_gemm_bias_f32(2, 2, 2, gk.fp(a), 2, gk.fp(a), 2, None, gk.fp(c), 2), "bias is NULL")
    invalid(gk.lib.gk_gemv_f32(-2, 4, gk.fp(a), 4, gk.fp(a), gk.fp(c)), "gk_gemv_f32", "n (-2) < 0")
    pb = ctypes.c_void_p()
    invalid(gk.lib.gk_pack_b_f32(4, 4, gk.fp(a), 4, 3, ctypes.byref(pb)), "trans_b (3)")
    assert not pb
    fake = np.zeros(64, np.uint8)  # not a packed B: magic 0
    invalid(gk.lib.gk_gemm_prepacked_f32(1, gk.fp(a), 4, fake.ctypes.data, gk.fp(c), 4), "magic")
    assert np.isnan(c).all()


# ---- activations ---------------------------------------------------------------------------

def _act_ref(name, x):
    with np.errstate(all="ignore"):
        if name == "silu":
            return x / (1 + np.exp(-x))
        if name == "gelu_tanh":
            return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))
        if name == "gelu_erf":
            return 0.5 * x * (1 + np.vectorize(erf, otypes=[np.float64])(x / np.sqrt(2)))
        if name == "relu":
            return np.where(x > 0, x, 0.0)
        if name == "tanh":
            return np.tanh(x)
        return np.exp(x)


@pytest.mark.parametrize("name", ["silu", "gelu_tanh", "gelu_erf", "relu", "tanh", "exp"])
@pytest.mark.parametrize("n", [0, 1, 9, 33, 4097])
def test_activation(name, n):
    x = rng(n + 5).uniform(-10, 10, n).astype(np.float32)
    y = np.full(n, np.nan, np.float32)
    gk.check(getattr(gk.lib, f"gk_{name}_f32")(n, gk.fp(x), gk.fp(y)))
    x64 = x.astype(np.float64)
    want = _act_ref(name, x64)
    # libm and vector approximations within a few ulp (16 EPS relative), plus the cancellation
    # in 1 + tanh / 1 + erf / 1 + exp for negative x (2 EPS |x| absolute)
    close(y, want, 16 * EPS * np.abs(want) + 2 * EPS * np.abs(x64))
    gk.check(getattr(gk.lib, f"gk_{name}_f32")(n, gk.fp(x), gk.fp(x)))  # in place
    assert np.array_equal(x, y)


def test_swiglu():
    r = rng(11)
    g = r.uniform(-8, 8, 1001).astype(np.float32)
    u = r.uniform(-3, 3, 1001).astype(np.float32)
    y = np.empty_like(g)
    gk.check(gk.lib.gk_swiglu_f32(g.size, gk.fp(g), gk.fp(u), gk.fp(y)))
    g64 = g.astype(np.float64)
    want = g64 / (1 + np.exp(-g64)) * u
    close(y, want, 16 * EPS * np.abs(want) + 2 * EPS * np.abs(g64 * u))


def test_activation_errors():
    x = np.ones(16, np.float32)
    y = np.full(16, np.nan, np.float32)
    invalid(gk.lib.gk_silu_f32(-1, gk.fp(x), gk.fp(y)), "gk_silu_f32", "n (-1) < 0")
    invalid(gk.lib.gk_exp_f32(8, gk.fp(y[1:]), gk.fp(y)), "gk_exp_f32", "overlaps")
    invalid(gk.lib.gk_swiglu_f32(4, gk.fp(x), None, gk.fp(y)), "gk_swiglu_f32", "up is NULL")
    assert np.isnan(y).all()


# ---- rows ----------------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 7, 16, 17, 1000])
@pytest.mark.parametrize("op", ["softmax", "rms_norm", "layer_norm"])
def test_rows(op, n):
    r = rng(n + 7)
    rows, ldx, ldy = 5, n + 3, n + 1
    x, _ = gk.strided(rows, n, ldx, r, -4, 4)
    w = r.uniform(0.5, 1.5, n).astype(np.float32)
    b = r.uniform(-1, 1, n).astype(np.float32)
    y, ybase = gk.strided(rows, n, ldy)
    eps = np.float32(1e-5)
    x64 = x.astype(np.float64)
    if op == "softmax":
        gk.check(gk.lib.gk_softmax_f32(rows, n, gk.fp(x), ldx, gk.fp(y), ldy))
        e = np.exp(x64 - x64.max(axis=1, keepdims=True))
        want = e / e.sum(axis=1, keepdims=True)
        # float sum of n terms, expf of a rounded argument (|x - max| <= 8), a vector exp
        tol = want * EPS * (n + 16 + 16)
    elif op == "rms_norm":
        gk.check(gk.lib.gk_rms_norm_f32(rows, n, gk.fp(x), ldx, gk.fp(w), eps, gk.fp(y), ldy))
        want = x64 / np.sqrt(np.mean(x64 ** 2, axis=1, keepdims=True) + np.float64(eps)) * w
        tol = 4 * EPS * np.abs(want)  # double statistics, then two float roundings
    else:
        gk.check(gk.lib.gk_layer_norm_f32(rows, n, gk.fp(x), ldx, gk.fp(w), gk.fp(b), eps, gk.fp(y), ldy))
        mu = x64.mean(axis=1, keepdims=True)
        z = (x64 - mu) / np.sqrt(x64.var(axis=1, keepdims=True) + np.float64(eps))
        want = z * w + b
        tol = 4 * EPS * (np.abs(z * w) + np.abs(b))
    close(y, want, tol)
    assert np.isnan(ybase.reshape(rows, ldy)[:, n:]).all()


def test_softmax_edge_rows():
    x = np.array([[-np.inf] * 4, [1.0, np.inf, 2.0, np.inf], [1.0, np.nan, 0.0, 0.0], [1e30, -1e30, 3e38, -3e38]],
                 np.float32)
    y = np.full_like(x, -1.0)
    gk.check(gk.lib.gk_softmax_f32(4, 4, gk.fp(x), 4, gk.fp(y), 4))
    assert np.array_equal(y[0], np.full(4, 0.25, np.float32))  # all -inf: uniform
    assert np.array_equal(y[1], np.array([0, 0.5, 0, 0.5], np.float32))  # +inf entries share
    assert np.isnan(y[2]).all()  # NaN row
    assert np.array_equal(y[3], np.array([0, 0, 1, 0], np.float32))  # huge values: no NaN


def test_rows_errors():
    x = np.ones(64, np.float32)
    y = np.full(64, np.nan, np.float32)
    invalid(gk.lib.gk_softmax_f32(2, 4, gk.fp(x), 3, gk.fp(y), 4), "gk_softmax_f32: ldx (3) < n (4)")
    invalid(gk.lib.gk_rms_norm_f32(2, 4, gk.fp(x), 4, None, 1e-5, gk.fp(y), 4), "gk_rms_norm_f32", "w is NULL")
    invalid(gk.lib.gk_layer_norm_f32(2, 4, gk.fp(y[2:]), 4, gk.fp(x), gk.fp(x), 1e-5, gk.fp(y), 4),
            "gk_layer_norm_f32", "overlaps")
    assert np.isnan(y).all()


# ---- rope ----------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", [gk.ROPE_INTERLEAVED, gk.ROPE_NEOX])
@pytest.mark.parametrize("heads,hd,pad", [(1, 2, 0), (3, 8, 1), (2, 64, 5), (4, 128, 0)])
def test_rope(layout, heads, hd, pad):
    r = rng(heads * hd + pad)
    tokens, ld = 6, heads * hd + pad
    x, base = gk.strided(tokens, heads * hd, ld, r, -2, 2, fill=7.0)
    orig = x.astype(np.float64)
    pos = np.array([0, 1, 5, 100, 1023, 2047], np.int32)
    theta = 10000.0
    gk.check(gk.lib.gk_rope_f32(tokens, heads, hd, gk.fp(x), ld, gk.i32p(pos), theta, layout))
    half = hd // 2
    inv = np.power(np.float32(theta), -(np.float32(2) * np.arange(half, dtype=np.float32)) / np.float32(hd),
                   dtype=np.float32)
    for t in range(tokens):
        ang = (np.float32(pos[t]) * inv).astype(np.float64)
        c, s = np.cos(ang), np.sin(ang)
        for h in range(heads):
            v = orig[t, h * hd:(h + 1) * hd]
            x0, x1 = (v[:half], v[half:]) if layout == gk.ROPE_NEOX else (v[0::2], v[1::2])
            y0, y1 = x0 * c - x1 * s, x0 * s + x1 * c
            got = x[t, h * hd:(h + 1) * hd].astype(np.float64)
            g0, g1 = (got[:half], got[half:]) if layout == gk.ROPE_NEOX else (got[0::2], got[1::2])
            # a few roundings of |x0| + |x1|, and the float angle's own ulp (2 EPS |angle|)
            tol = (np.abs(x0) + np.abs(x1)) * EPS * (16 + 2 * np.abs(ang))
            close(g0, y0, tol)
            close(g1, y1, tol)
    assert (base.reshape(tokens, ld)[:, heads * hd:] == 7.0).all()  # token padding untouched


def test_rope_errors():
    x = np.full(64, np.nan, np.float32)
    pos = np.zeros(4, np.int32)
    invalid(gk.lib.gk_rope_f32(2, 2, 5, gk.fp(x), 10, gk.i32p(pos), 1e4, 0), "gk_rope_f32", "head_dim (5) is odd")
    invalid(gk.lib.gk_rope_f32(2, 2, 4, gk.fp(x), 8, gk.i32p(pos), 0.0, 0), "theta")
    invalid(gk.lib.gk_rope_f32(2, 2, 4, gk.fp(x), 8, gk.i32p(pos), 1e4, 9), "layout (9)")
    invalid(gk.lib.gk_rope_f32(2, 2, 4, gk.fp(x), 7, gk.i32p(pos), 1e4, 0), "ld_token (7) < heads*head_dim (8)")
    invalid(gk.lib.gk_rope_f32(2, 2, 4, gk.fp(x), 8, None, 1e4, 1), "pos is NULL")
    assert np.isnan(x).all()
    assert gk.lib.gk_rope_f32(0, 2, 4, None, 8, None, 1e4, 1) == gk.OK


def test_thread_counts_bitwise():
    """Same bits with 1 and 2 threads (reductions are chunked by n only)."""
    r = rng(12)
    n = (1 << 20) + 3
    x = r.uniform(-1, 1, n).astype(np.float32)
    y = r.uniform(-1, 1, n).astype(np.float32)
    before = gk.lib.gk_get_num_threads()
    results = []
    for threads in (1, 2):
        gk.check(gk.lib.gk_set_num_threads(threads))
        out = np.zeros(2, np.float32)
        act = np.empty(n, np.float32)
        gk.check(gk.lib.gk_vec_dot_f32(n, gk.fp(x), gk.fp(y), gk.fp(out[:1])))
        gk.check(gk.lib.gk_vec_sum_f32(n, gk.fp(x), gk.fp(out[1:])))
        gk.check(gk.lib.gk_gelu_erf_f32(n, gk.fp(x), gk.fp(act)))
        results.append((out.tobytes(), act.tobytes()))
    gk.check(gk.lib.gk_set_num_threads(before))
    assert results[0] == results[1]
