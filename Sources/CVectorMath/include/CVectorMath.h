#ifndef NEURODYN_CVECTORMATH_H
#define NEURODYN_CVECTORMATH_H

#include <stddef.h>

/* Vectorised kernels for hot loops that Swift cannot vectorise on its x86-64 baseline (SSE2):
   exp and tanh through glibc's libmvec (AVX-512 or AVX2 lanes, within 4 ulp), chosen at load or
   call time from what the CPU supports, so that the binary still runs on any x86-64 (plain libm
   there). Called only from GSLKit. */

/* out[i * n + j] = -scale * |p_i - q_j|^2 for p (m x d, row-major) and qT (d x n: q transposed). */
void nd_scaled_squared_distances(size_t m, size_t n, size_t d, const double *p, const double *qT, double scale, double *out);

/* out[i * n + j] = exp(a[i * n + j] + f[i] + g[j]). */
void nd_exp_shifted(size_t m, size_t n, const double *a, const double *f, const double *g, double *out);

/* values[i] = tanh(z[i]), slopes[i] = 1 - values[i]^2. */
void nd_tanh_and_slope(size_t count, const double *z, double *values, double *slopes);

#endif
