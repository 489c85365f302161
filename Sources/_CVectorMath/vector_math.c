#include "_CVectorMath.h"
#include "dispatch.h"
#include <math.h>


ND_INLINE void nd_scaled_squared_distances_impl(size_t m, size_t n, size_t d, const double *p, const double *qT, double scale, double *out) {
    for (size_t i = 0; i < m; i++) {
        double *row = out + i * n;
        for (size_t j = 0; j < n; j++) row[j] = 0;
        for (size_t k = 0; k < d; k++) {
            const double a = p[i * d + k];
            const double *q = qT + k * n;
            for (size_t j = 0; j < n; j++) {
                const double t = a - q[j];
                row[j] += t * t;
            }
        }
        for (size_t j = 0; j < n; j++) row[j] *= -scale;
    }
}

ND_INLINE void nd_exp_shifted_impl(size_t m, size_t n, const double *a, const double *f, const double *g, double *out) {
    for (size_t i = 0; i < m; i++) {
        const double fi = f[i];
        const double *row = a + i * n;
        double *o = out + i * n;
        for (size_t j = 0; j < n; j++) o[j] = exp(row[j] + fi + g[j]);
    }
}

ND_DISPATCH_UPTO_V3(nd_scaled_squared_distances, (size_t m, size_t n, size_t d, const double *p, const double *qT, double scale, double *out), (m, n, d, p, qT, scale, out))
ND_DISPATCH_UPTO_V3(nd_exp_shifted, (size_t m, size_t n, const double *a, const double *f, const double *g, double *out), (m, n, a, f, g, out))
