#include "_CVectorMath.h"
#include "dispatch.h"
#include <math.h>
#include <stdint.h>
#include <string.h>


/* tanh and its slope from one exponential, in a form the compiler vectorises (no calls, no
   branches): with a = |x|, e = exp(-2a) in (0, 1] and m = e - 1 = expm1(-2a),
       tanh(x) = sign(x) * (-m / (m + 2)),    1 - tanh(x)^2 = 4 e / (m + 2)^2,
   both without cancellation (the slope keeps its relative accuracy deep in saturation, where
   1 - t*t would keep only the absolute one). y = -2a is clamped at -708, where 2^k stays normal;
   beyond it tanh is 1 to the last bit and the slope, below 1e-307, is returned as 0. Cody-Waite reduction
   y = k ln2 + r, |r| <= ln2 / 2, the Taylor polynomial of expm1(r) to r^13 (truncation below
   5e-18), then m = 2^k expm1(r) + (2^k - 1) and e = 2^k (expm1(r) + 1).
   Measured against glibc over [-25, 25]: tanh within 4.8e-16 relative (about 2 ulp). */
ND_INLINE void tanh_and_slope(double x, double *value, double *slope) {
    const double unclamped = -2.0 * fabs(x);
    const double y = unclamped < -708.0 ? -708.0 : unclamped;
    const double k = __builtin_rint(y * 1.4426950408889634);
    double r = y - k * 6.93147180369123816490e-01;
    r = r - k * 1.90821492927058770002e-10;
    double q = 1.0 / 6227020800.0;
    q = q * r + 1.0 / 479001600.0;
    q = q * r + 1.0 / 39916800.0;
    q = q * r + 1.0 / 3628800.0;
    q = q * r + 1.0 / 362880.0;
    q = q * r + 1.0 / 40320.0;
    q = q * r + 1.0 / 5040.0;
    q = q * r + 1.0 / 720.0;
    q = q * r + 1.0 / 120.0;
    q = q * r + 1.0 / 24.0;
    q = q * r + 1.0 / 6.0;
    q = q * r + 0.5;
    const double expm1r = r + r * r * q;
    const uint64_t bits = (uint64_t)((int64_t)k + 1023) << 52;
    double twoK;
    memcpy(&twoK, &bits, sizeof twoK);
    const double m = twoK * expm1r + (twoK - 1.0);
    const double e = unclamped < -708.0 ? 0.0 : twoK * (expm1r + 1.0);
    const double inverse = 1.0 / (m + 2.0);
    *value = copysign(-m * inverse, x);
    *slope = 4.0 * e * inverse * inverse;
}

enum { BLOCK = 256 };

ND_INLINE void tanh_block(size_t count, const double *restrict z, double *restrict values, double *restrict slopes) {
    for (size_t i = 0; i < count; i++) tanh_and_slope(z[i], values + i, slopes + i);
}

/* z may be values (in place): each block is read into a local copy first, so the loop itself
   runs on pointers that do not alias and is vectorised. */
ND_INLINE void nd_tanh_and_slope_impl(size_t count, const double *z, double *values, double *slopes) {
    double local[BLOCK];
    for (size_t start = 0; start < count; start += BLOCK) {
        const size_t n = count - start < BLOCK ? count - start : BLOCK;
        memcpy(local, z + start, n * sizeof *local);
        tanh_block(n, local, values + start, slopes + start);
    }
}

ND_DISPATCH(nd_tanh_and_slope, (size_t count, const double *z, double *values, double *slopes), (count, z, values, slopes))
