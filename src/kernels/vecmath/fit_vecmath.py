#!/usr/bin/env python3
"""Fits the exp polynomial and the erf rational function of vecmath.h (needs only mpmath) and
prints them as C constants with their approximation error.

exp: e^r = 1 + r + r^2 P(r) on |r| <= ln2/2, P of degree 4 interpolating (e^r - 1 - r)/r^2.

erf: erf(x) = x P(u) / Q(u), u = x^2, on |x| <= ERF_ONE (erf rounds to 1.0f beyond), P and Q
of degree 5, Q(0) = 1. Fitted in v = u / ERF_ONE^2 in [0, 1] by iterated linearised weighted
least squares (x P - erf Q = 0, weighted by 1 / (erf Q) of the previous iterate, so the relative
error is what is minimised) at Chebyshev nodes in x, then scaled back to u. The printed error
is the maximum over a dense grid, in units of 2^-24 relative to erf(x)."""
import struct

import mpmath as mp

mp.mp.dps = 40
ERF_ONE = mp.mpf("3.9375")  # erfc(x) < 2^-25 beyond: erf rounds to 1.0f


def cheb_interp(f, n):
    """Monomial coefficients (low order first) of the degree n-1 interpolant of f on [-1, 1]
    at the Chebyshev nodes."""
    nodes = [mp.cos(mp.pi * (k + mp.mpf(1) / 2) / n) for k in range(n)]
    vals = [f(t) for t in nodes]
    a = mp.matrix([[t ** j for j in range(n)] for t in nodes])
    return list(mp.lu_solve(a, mp.matrix(vals)))


def horner(c, t):
    r = mp.mpf(0)
    for v in reversed(c):
        r = r * t + v
    return r


def fit_exp():
    half_ln2 = mp.log(2) / 2
    g = lambda s: (lambda r: (mp.exp(r) - 1 - r) / r ** 2 if abs(r) > mp.mpf(10) ** -30 else mp.mpf(1) / 2 + r / 6)(
        s * half_ln2)
    cs = cheb_interp(g, 5)
    p = [float(c / half_ln2 ** j) for j, c in enumerate(cs)]  # from s in [-1, 1] to r = s ln2/2
    p = [float(mp.mpf(struct.unpack("f", struct.pack("f", v))[0])) for v in p]
    err = 0
    for i in range(2001):
        r = -half_ln2 + 2 * half_ln2 * i / 2000
        err = max(err, abs((1 + r + r * r * horner([mp.mpf(v) for v in p], r)) / mp.exp(r) - 1))
    print("/* exp: max rel err %.3g (%.2f x 2^-24) */" % (err, err * 2 ** 24))
    print("P =", ", ".join("%.9ef" % v for v in p))


def f32(v):
    return struct.unpack("f", struct.pack("f", float(v)))[0]


def fit_erf(deg=5, nodes=120, iters=12):
    g = lambda x: mp.erf(x) / x if x > 0 else 2 / mp.sqrt(mp.pi)  # erf(x)/x
    xs = [ERF_ONE * (1 + mp.cos(mp.pi * (k + mp.mpf(1) / 2) / nodes)) / 2 for k in range(nodes)]
    vs = [(x / ERF_ONE) ** 2 for x in xs]
    gs = [g(x) for x in xs]
    qprev = [mp.mpf(1)] * nodes
    for _ in range(iters):
        a = mp.matrix(nodes, 2 * deg + 1)
        b = mp.matrix(nodes, 1)
        for i, (v, gv) in enumerate(zip(vs, gs)):
            w = 1 / (gv * qprev[i])
            for j in range(deg + 1):
                a[i, j] = w * v ** j
            for j in range(1, deg + 1):
                a[i, deg + j] = -w * gv * v ** j
            b[i] = w * gv
        c = mp.qr_solve(a, b)[0]
        p = [c[j] for j in range(deg + 1)]
        q = [mp.mpf(1)] + [c[deg + j] for j in range(1, deg + 1)]
        qprev = [horner(q, v) for v in vs]
    # back to u = v * ERF_ONE^2, rounded to float
    p = [f32(v / ERF_ONE ** (2 * j)) for j, v in enumerate(p)]
    q = [f32(v / ERF_ONE ** (2 * j)) for j, v in enumerate(q)]
    err = 0
    for i in range(1, 4001):
        x = ERF_ONE * i / 4000
        u = x * x
        err = max(err, abs(x * horner([mp.mpf(v) for v in p], u) / horner([mp.mpf(v) for v in q], u) / mp.erf(x) - 1))
    print("/* erf: max rel err %.3g (%.2f x 2^-24) with float coefficients */" % (err, err * 2 ** 24))
    print("P =", ", ".join("%.9ef" % v for v in reversed(p)), "(highest order first)")
    print("Q =", ", ".join("%.9ef" % v for v in reversed(q)), "(highest order first)")


def main():
    fit_exp()
    fit_erf()


if __name__ == "__main__":
    main()
