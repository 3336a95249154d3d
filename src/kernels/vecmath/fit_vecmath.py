#!/usr/bin/env python3
"""Fits the exp and erf polynomials of vecmath.h (needs only mpmath) and prints them as C
constants with their approximation error.

exp: e^r = 1 + r + r^2 P(r) on |r| <= ln2/2, P of degree 4 interpolating (e^r - 1 - r)/r^2.

erf, small branch, |x| < ERF_SPLIT:  erf(x) = x * P(x^2), P fitted to erf(x)/x in t = x^2.
Large branch, ERF_SPLIT <= |x| < ERF_ONE:  erf(x) = 1 - exp(-x^2) * Q(u), Q fitted to
erfcx(x) = exp(x^2) erfc(x) in u = (x - c)/h, which maps the interval onto [-1, 1] so the
monomial coefficients stay small and Horner's rule in float stays accurate.
Both fits interpolate at Chebyshev nodes (near-minimax); the printed error is the maximum
over a dense grid, in units of 2^-24 relative to erf(x)."""
import struct

import mpmath as mp

mp.mp.dps = 40
ERF_SPLIT = mp.mpf(1)
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


def main():
    fit_exp()
    # erf small: g(t) = erf(sqrt(t))/sqrt(t) on t in [0, split^2]
    t_hi = ERF_SPLIT ** 2
    g = lambda s: (lambda t: mp.erf(mp.sqrt(t)) / mp.sqrt(t) if t > 0 else 2 / mp.sqrt(mp.pi))((s + 1) / 2 * t_hi)
    cs = cheb_interp(g, 7)
    # convert from s in [-1,1] to t = (s+1)/2 * t_hi  =>  s = 2t/t_hi - 1
    ps = mp.matrix(7, 1)
    for j, cj in enumerate(cs):  # expand cj * (2t/t_hi - 1)^j
        for k in range(j + 1):
            ps[k] += cj * mp.binomial(j, k) * (2 / t_hi) ** k * (-1) ** (j - k)
    p = [float(ps[k]) for k in range(7)]
    err = 0
    for i in range(1, 4001):
        x = ERF_SPLIT * i / 4000
        err = max(err, abs(x * horner([mp.mpf(v) for v in p], x * x) / mp.erf(x) - 1))
    print("/* small branch: max rel err %.3g (%.2f x 2^-24) */" % (err, err * 2 ** 24))
    print("P =", ", ".join("%.9ef" % v for v in p))

    c = (ERF_ONE + ERF_SPLIT) / 2
    h = (ERF_ONE - ERF_SPLIT) / 2
    erfcx = lambda x: mp.exp(x * x) * mp.erfc(x)
    n = 11
    q = [float(v) for v in cheb_interp(lambda u: erfcx(c + h * u), n)]
    err = 0
    for i in range(0, 4001):
        x = ERF_SPLIT + (ERF_ONE - ERF_SPLIT) * i / 4000
        approx = 1 - mp.exp(-x * x) * horner([mp.mpf(v) for v in q], (x - c) / h)
        err = max(err, abs(approx / mp.erf(x) - 1))
    print("/* large branch: c = %s, 1/h = %.9e, max rel err of erf %.3g (%.2f x 2^-24) */"
          % (mp.nstr(c, 10), float(1 / h), err, err * 2 ** 24))
    print("Q =", ", ".join("%.9ef" % v for v in q))


if __name__ == "__main__":
    main()
