"""The scalar definitions (src/scalar/) against numpy float64, an oracle we did not write.

Every tolerance is stated next to its check with the reason. EPS is FLT_EPSILON = 2^-23, twice
the unit roundoff of float, so "k * EPS" bounds k roundings.
"""
import ctypes

import numpy as np
import pytest

import gk

EPS = float(np.finfo(np.float32).eps)
FMAX = float(np.finfo(np.float32).max)
LENGTHS = [0, 1, 2, 7, 8, 9, 17, 33, 100, 1001]
EDGES = np.array([0.0, -0.0, 1e-30, -1e-30, 1.0, -1.0, 20.0, -20.0, 88.5, -88.5, 89.0, -103.0,
                  FMAX, -FMAX, np.inf, -np.inf, np.nan], dtype=np.float32)


def rng(seed):
    return np.random.default_rng(seed)


def same_or_close(got, want, tol):
    """got (float32) equals want (float64) within tol elementwise; NaN matches NaN, and an
    infinity (after rounding want to float32) must match exactly."""
    got = np.asarray(got, dtype=np.float64)
    want = np.asarray(want, dtype=np.float64)
    with np.errstate(over="ignore"):
        want32 = want.astype(np.float32).astype(np.float64)
    nan = np.isnan(want)
    assert np.array_equal(np.isnan(got), nan), f"NaN mismatch at {np.nonzero(np.isnan(got) != nan)}"
    inf = np.isinf(want32) | np.isinf(got)
    assert np.array_equal(got[inf], want32[inf]), f"inf mismatch: {got[inf]} vs {want32[inf]}"
    fin = ~nan & ~inf
    err = np.abs(got[fin] - want[fin])
    tol = np.broadcast_to(tol, want.shape)[fin]
    bad = err > tol
    assert not bad.any(), f"max excess {np.max(err - tol)}: got {got[fin][bad][:5]} want {want[fin][bad][:5]}"


# ---- activations -------------------------------------------------------------------------

def _ref_activation(name, x):
    x = x.astype(np.float64)
    with np.errstate(all="ignore"):
        if name == "silu":
            return x / (1.0 + np.exp(-x))
        if name == "gelu_tanh":
            return 0.5 * x * (1.0 + np.tanh(np.sqrt(2.0 / np.pi) * (x + 0.044715 * x ** 3)))
        if name == "gelu_erf":
            from math import erf
            return 0.5 * x * (1.0 + np.vectorize(erf, otypes=[np.float64])(x / np.sqrt(2.0)))
        if name == "tanh":
            return np.tanh(x)
        if name == "exp":
            return np.exp(x)
    raise ValueError(name)


@pytest.mark.parametrize("name", ["silu", "gelu_tanh", "gelu_erf", "tanh", "exp"])
def test_activation(name):
    x = np.concatenate([rng(1).uniform(-12, 12, 2000).astype(np.float32), EDGES])
    got = gk.scalar_map("gk_scalar_" + name, x)
    want = _ref_activation(name, x)
    # libm's float functions are within 1-2 ulp; the formulas add a few float roundings
    # (8 EPS relative). 1 + tanh / 1 + erf / 1 + exp cancel for large negative x, leaving an
    # absolute error of about one ulp of 1 times |x|/2 (2 EPS |x|). The inputs that overflow
    # in float but not in float64 (x^3 in gelu_tanh for |x| > 7e12) keep the same limits.
    tol = 8 * EPS * np.abs(want) + 2 * EPS * np.abs(x.astype(np.float64))
    if name in ("silu", "gelu_tanh", "gelu_erf"):
        # -inf: IEEE through the formula gives -inf * 0 or -inf / inf = NaN (documented);
        # float64 numpy evaluates the same formula to the same NaN.
        assert np.isnan(got[x == -np.inf]).all()
    same_or_close(got, want, tol)


def test_relu_edges():
    x = np.concatenate([rng(2).uniform(-5, 5, 500).astype(np.float32), EDGES])
    got = gk.scalar_map("gk_scalar_relu", x)
    fin = ~np.isnan(x)
    assert np.array_equal(got[fin], np.where(x[fin] > 0, x[fin], 0).astype(np.float32))  # exact: a select
    assert (got[np.isnan(x)] == 0).all()  # relu(NaN) = 0 (comparison is false), documented
    z = gk.scalar_map("gk_scalar_relu", np.array([-0.0], np.float32))
    assert z[0] == 0 and not np.signbit(z[0])  # relu(-0) = +0


def test_swiglu():
    r = rng(3)
    g = np.concatenate([r.uniform(-12, 12, 1000).astype(np.float32), EDGES])
    u = np.concatenate([r.uniform(-4, 4, 1000).astype(np.float32), np.full(EDGES.size, 1.5, np.float32)])
    got = gk.scalar_map("gk_scalar_swiglu", g, u)
    want = _ref_activation("silu", g) * u.astype(np.float64)
    # silu's bound (above) times |up|, plus the rounding of the product
    tol = 9 * EPS * np.abs(want) + 2 * EPS * np.abs(g.astype(np.float64) * u)
    same_or_close(got, want, tol)


# ---- BLAS-1 --------------------------------------------------------------------------------

@pytest.mark.parametrize("n", LENGTHS)
def test_vec_reductions(n):
    r = rng(10 + n)
    x = r.uniform(-3, 3, n).astype(np.float32)
    y = r.uniform(-3, 3, n).astype(np.float32)
    x64, y64 = x.astype(np.float64), y.astype(np.float64)
    # sequential float summation of n terms: |error| <= n * u * sum|terms| (n EPS is twice that)
    dot = gk.lib.gk_scalar_vec_dot(gk.fp(x), gk.fp(y), n)
    assert abs(dot - np.dot(x64, y64)) <= n * EPS * np.sum(np.abs(x64 * y64))
    s = gk.lib.gk_scalar_vec_sum(gk.fp(x), n)
    assert abs(s - np.sum(x64)) <= n * EPS * np.sum(np.abs(x64))
    m = gk.lib.gk_scalar_vec_max(gk.fp(x), n)
    assert m == (np.max(x) if n else -np.inf)  # exact: comparisons only
    if n == 0:
        assert s == 0 and not np.signbit(s) and dot == 0


@pytest.mark.parametrize("where", [0, 4, 8])
def test_vec_max_nan_and_inf(where):
    x = rng(5).uniform(-3, 3, 9).astype(np.float32)
    x[where] = np.nan
    assert np.isnan(gk.lib.gk_scalar_vec_max(gk.fp(x), 9))  # NaN wins wherever it is
    x[where] = np.inf
    assert gk.lib.gk_scalar_vec_max(gk.fp(x), 9) == np.inf
    x[:] = -np.inf
    assert gk.lib.gk_scalar_vec_max(gk.fp(x), 9) == -np.inf


@pytest.mark.parametrize("n", LENGTHS)
def test_vec_elementwise(n):
    r = rng(20 + n)
    x = r.uniform(-3, 3, n).astype(np.float32)
    y = r.uniform(-3, 3, n).astype(np.float32)
    out = np.empty(n, np.float32)
    alpha = np.float32(-1.25)
    # one IEEE float operation per element (numpy float32 arithmetic rounds the same way): exact
    gk.lib.gk_scalar_vec_add(gk.fp(x), gk.fp(y), gk.fp(out), n)
    assert np.array_equal(out, x + y)
    gk.lib.gk_scalar_vec_mul(gk.fp(x), gk.fp(y), gk.fp(out), n)
    assert np.array_equal(out, x * y)
    gk.lib.gk_scalar_vec_scale(gk.fp(x), gk.fp(out), n, alpha)
    assert np.array_equal(out, alpha * x)
    # axpy rounds the product, then the sum (no FMA: -ffp-contract=off), as numpy does
    gk.lib.gk_scalar_vec_axpy(gk.fp(x), gk.fp(y), gk.fp(out), n, alpha)
    assert np.array_equal(out, y + alpha * x)


# ---- softmax -------------------------------------------------------------------------------

def _ref_softmax(x):
    """Float64 softmax with the documented edge cases."""
    x = x.astype(np.float64)
    n = x.size
    if n == 0:
        return x
    if np.isnan(x).any():
        return np.full(n, np.nan)
    if np.isposinf(x).any():
        inf = np.isposinf(x)
        return np.where(inf, 1.0 / inf.sum(), 0.0)
    if np.isneginf(x).all():
        return np.full(n, 1.0 / n)
    e = np.exp(x - x.max())
    return e / e.sum()


def _softmax(x):
    y = np.full(x.size, np.nan, np.float32)
    gk.lib.gk_scalar_softmax(gk.fp(x), gk.fp(y), x.size)
    return y


def _softmax_tol(x, want):
    # expf is within ~1 ulp, but its argument x - max is rounded to float: a relative error of
    # up to EPS * |x - max| in each term (terms below -104 underflow to 0 and do not count);
    # the float sum of n terms adds n EPS relative; the final scaling 2 EPS. Subnormal results
    # have an absolute error below 1e-38.
    fin = np.isfinite(x)
    spread = min(float(np.max(x[fin])) - float(np.min(x[fin])), 104.0) if fin.any() else 0.0
    return want * EPS * (x.size + 4 + 2 * spread) + 1e-38


@pytest.mark.parametrize("n", LENGTHS[1:])
def test_softmax_random(n):
    x = rng(30 + n).uniform(-30, 30, n).astype(np.float32)
    want = _ref_softmax(x)
    same_or_close(_softmax(x), want, _softmax_tol(x, want))


@pytest.mark.parametrize("case", [
    "all_neg_inf", "pos_inf_one", "pos_inf_many", "nan", "huge", "flt_max_half", "one_finite_rest_neg_inf"])
def test_softmax_edges(case):
    n = 13
    x = rng(40).uniform(-5, 5, n).astype(np.float32)
    if case == "all_neg_inf":
        x[:] = -np.inf  # uniform 1/n
    elif case == "pos_inf_one":
        x[5] = np.inf  # all mass on the +inf entry
    elif case == "pos_inf_many":
        x[[1, 6, 12]] = np.inf  # shared equally
        x[3] = -np.inf
    elif case == "nan":
        x[7] = np.nan  # NaN row
    elif case == "huge":
        x[:] = np.where(np.arange(n) % 2, 1e30, -1e30)
        x[4] = 1e30 * 0.999
    elif case == "flt_max_half":
        x[:] = np.where(np.arange(n) % 3, FMAX / 2, -FMAX / 2)
        x[0] = FMAX
    elif case == "one_finite_rest_neg_inf":
        x[:] = -np.inf
        x[9] = -1e30
    got, want = _softmax(x), _ref_softmax(x)
    same_or_close(got, want, _softmax_tol(x, want))
    if case != "nan":
        assert not np.isnan(got).any()
        assert abs(float(np.sum(got, dtype=np.float64)) - 1.0) <= (n + 4) * EPS


def test_softmax_in_place():
    x = rng(41).uniform(-10, 10, 37).astype(np.float32)
    want = _softmax(x.copy())
    gk.lib.gk_scalar_softmax(gk.fp(x), gk.fp(x), x.size)  # y may alias x
    assert np.array_equal(x, want)


# ---- norms ---------------------------------------------------------------------------------

NORM_CASES = ["random", "huge_1e30", "flt_max_half", "offset", "zeros"]


def _norm_input(case, n, r):
    if case == "random":
        return r.uniform(-3, 3, n).astype(np.float32)
    if case == "huge_1e30":
        return r.uniform(-1e30, 1e30, n).astype(np.float32)
    if case == "flt_max_half":
        return np.where(r.integers(0, 2, n) == 1, FMAX / 2, -FMAX / 2).astype(np.float32)
    if case == "offset":  # mean large against the spread: tests the double-precision centring
        return (1e4 + r.uniform(-1, 1, n)).astype(np.float32)
    return np.zeros(n, np.float32)


@pytest.mark.parametrize("case", NORM_CASES)
@pytest.mark.parametrize("n", LENGTHS[1:])
def test_rms_norm(case, n):
    r = rng(50 + n)
    x = _norm_input(case, n, r)
    w = r.uniform(0.5, 1.5, n).astype(np.float32)
    eps = np.float32(1e-5)
    y = np.full(n, np.nan, np.float32)
    gk.lib.gk_scalar_rms_norm(gk.fp(x), gk.fp(w), gk.fp(y), n, eps)
    x64 = x.astype(np.float64)
    want = x64 / np.sqrt(np.mean(x64 * x64) + np.float64(eps)) * w
    # sums and scale in double (exact to ~n 2^-53); then two float roundings: x*inv and *w
    same_or_close(y, want, 2 * EPS * np.abs(want) + 1e-38)
    assert np.isfinite(y).all()


@pytest.mark.parametrize("case", NORM_CASES)
@pytest.mark.parametrize("n", LENGTHS[1:])
def test_layer_norm(case, n):
    r = rng(60 + n)
    x = _norm_input(case, n, r)
    w = r.uniform(0.5, 1.5, n).astype(np.float32)
    b = r.uniform(-1, 1, n).astype(np.float32)
    eps = np.float32(1e-5)
    y = np.full(n, np.nan, np.float32)
    gk.lib.gk_scalar_layer_norm(gk.fp(x), gk.fp(w), gk.fp(b), gk.fp(y), n, eps)
    x64 = x.astype(np.float64)
    z = (x64 - x64.mean()) / np.sqrt(x64.var() + np.float64(eps))  # population variance
    want = z * w + b
    # double statistics; float roundings of z, z*w and the bias add
    same_or_close(y, want, 2 * EPS * (np.abs(z * w) + np.abs(b)) + 1e-38)
    assert np.isfinite(y).all()


def test_norms_in_place():
    r = rng(70)
    x = r.uniform(-3, 3, 65).astype(np.float32)
    w = r.uniform(0.5, 1.5, 65).astype(np.float32)
    b = r.uniform(-1, 1, 65).astype(np.float32)
    y = np.empty_like(x)
    gk.lib.gk_scalar_layer_norm(gk.fp(x), gk.fp(w), gk.fp(b), gk.fp(y), 65, np.float32(1e-6))
    gk.lib.gk_scalar_layer_norm(gk.fp(x), gk.fp(w), gk.fp(b), gk.fp(x), 65, np.float32(1e-6))
    assert np.array_equal(x, y)


# ---- rope ----------------------------------------------------------------------------------

def _ref_rope(x, pos, theta, neox):
    d = x.size
    half = d // 2
    i = np.arange(half, dtype=np.float32)
    # the angle as defined: pos * theta^(-2i/d) in float (numpy's float32 power may differ from
    # powf by an ulp: covered by the tolerance), then exact cos/sin in float64
    expo = -(np.float32(2) * i) / np.float32(d)
    ang = (np.float32(pos) * np.power(np.float32(theta), expo, dtype=np.float32)).astype(np.float64)
    c, s = np.cos(ang), np.sin(ang)
    x64 = x.astype(np.float64)
    if neox:
        x0, x1 = x64[:half], x64[half:]
    else:
        x0, x1 = x64[0::2], x64[1::2]
    y0, y1 = x0 * c - x1 * s, x0 * s + x1 * c
    y = np.empty(d)
    if neox:
        y[:half], y[half:] = y0, y1
    else:
        y[0::2], y[1::2] = y0, y1
    mag = np.abs(x0) + np.abs(x1)
    tolp = mag * EPS * (4 + 2 * np.abs(ang))
    tol = np.empty(d)
    if neox:
        tol[:half], tol[half:] = tolp, tolp
    else:
        tol[0::2], tol[1::2] = tolp, tolp
    return y, tol


@pytest.mark.parametrize("neox", [False, True])
@pytest.mark.parametrize("d", [2, 4, 8, 14, 64, 128])
@pytest.mark.parametrize("pos", [0, 1, 17, 1000, 32767])
def test_rope(neox, d, pos):
    x = rng(80 + d + pos).uniform(-2, 2, d).astype(np.float32)
    y = np.full(d, np.nan, np.float32)
    theta = 10000.0
    fn = gk.lib.gk_scalar_rope_neox if neox else gk.lib.gk_scalar_rope_interleaved
    fn(gk.fp(x), gk.fp(y), d, float(pos), theta)
    want, tol = _ref_rope(x, pos, theta, neox)
    # cosf/sinf and the rotation: a few roundings of |x0|+|x1| (4 EPS); the float angle's own
    # rounding (an ulp of pos * theta^e, from powf and the multiply) moves the rotation by
    # up to 2 EPS |angle| radians
    same_or_close(y, want, tol)
    if pos == 0:
        assert np.array_equal(y, x)
    fn(gk.fp(x), gk.fp(x), d, float(pos), theta)  # y may alias x
    assert np.array_equal(x, y)


# ---- GEMV / GEMM ---------------------------------------------------------------------------

def _gemm_tol(a, b, k, bias=None):
    # float accumulation over k terms: |error| <= k * u * sum|a||b| (k EPS is twice that);
    # the bias add rounds once more
    t = k * EPS * (np.abs(a.astype(np.float64)) @ np.abs(b.astype(np.float64)))
    if bias is not None:
        t = t + EPS * np.abs(bias.astype(np.float64))
    return t + 1e-38


SHAPES = [(1, 1, 1), (1, 7, 5), (6, 16, 8), (7, 17, 33), (33, 5, 64), (16, 33, 1), (3, 4, 0)]


@pytest.mark.parametrize("m,n,k", SHAPES)
def test_gemm_family(m, n, k):
    r = rng(90 + m * 7 + n * 3 + k)
    a = r.uniform(-1, 1, (m, k)).astype(np.float32)
    b = r.uniform(-1, 1, (k, n)).astype(np.float32)
    bt = np.ascontiguousarray(b.T)
    bias = r.uniform(-2, 2, n).astype(np.float32)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    c = np.full((m, n), np.nan, np.float32)
    gk.lib.gk_scalar_gemm(m, n, k, gk.fp(a), gk.fp(b), gk.fp(c))
    same_or_close(c, ref, _gemm_tol(a, b, k))
    c_bt = np.full((m, n), np.nan, np.float32)
    gk.lib.gk_scalar_gemm_bt(m, n, k, gk.fp(a), gk.fp(bt), gk.fp(c_bt))
    assert np.array_equal(c_bt, c)  # same products, same order: bitwise equal
    c_bias = np.full((m, n), np.nan, np.float32)
    gk.lib.gk_scalar_gemm_bias(m, n, k, gk.fp(a), gk.fp(b), gk.fp(bias), gk.fp(c_bias))
    assert np.array_equal(c_bias, c + bias)  # the bias is added last, in float

    # strided forms share the dense forms' body: bitwise equal
    lda, ldb, ldc = k + 3, n + 1, n + 5
    av, _ = gk.strided(m, k, lda)
    av[...] = a
    bv, _ = gk.strided(k, n, ldb)
    bv[...] = b
    btv, _ = gk.strided(n, k, k + 2)
    btv[...] = bt
    cv, cbase = gk.strided(m, n, ldc)
    gk.lib.gk_scalar_gemm_ld(m, n, k, gk.fp(av), lda, gk.fp(bv), ldb, gk.fp(bias), gk.fp(cv), ldc)
    assert np.array_equal(cv, c_bias)
    assert np.isnan(cbase.reshape(-1, ldc)[:, n:]).all() if m else True  # padding untouched
    cv[...] = np.nan
    gk.lib.gk_scalar_gemm_bt_ld(m, n, k, gk.fp(av), lda, gk.fp(btv), k + 2, None, gk.fp(cv), ldc)
    assert np.array_equal(cv, c)


@pytest.mark.parametrize("n,k", [(1, 1), (7, 9), (16, 33), (5, 0), (64, 1000)])
def test_gemv(n, k):
    r = rng(100 + n + k)
    a = r.uniform(-1, 1, (n, k)).astype(np.float32)
    x = r.uniform(-1, 1, k).astype(np.float32)
    y = np.full(n, np.nan, np.float32)
    gk.lib.gk_scalar_gemv(n, k, gk.fp(a), gk.fp(x), gk.fp(y))
    ref = a.astype(np.float64) @ x.astype(np.float64)
    same_or_close(y, ref, _gemm_tol(a, x[:, None], k)[:, 0])
    av, _ = gk.strided(n, k, k + 7)
    av[...] = a
    y2 = np.full(n, np.nan, np.float32)
    gk.lib.gk_scalar_gemv_ld(n, k, gk.fp(av), k + 7, gk.fp(x), gk.fp(y2))
    assert np.array_equal(y2, y)


def test_exported_for_the_jit():
    # Phase 0 needs the definitions in .dynsym with their ELF sizes (dladdr1 / RTLD_DL_SYMENT)
    for name in gk._SIGNATURES:
        if name.startswith("gk_scalar_"):
            assert ctypes.cast(getattr(gk.lib, name), ctypes.c_void_p).value
