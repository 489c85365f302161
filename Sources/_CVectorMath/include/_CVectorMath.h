#ifndef NEURODYN_CVECTORMATH_H
#define NEURODYN_CVECTORMATH_H

#include <stddef.h>

/* Vectorised kernels for hot loops that Swift cannot vectorise on its x86-64 baseline (SSE2):
   exp through glibc's libmvec (within 4 ulp), tanh and the perceptron products in loops the
   compiler vectorises. Each is compiled for three instruction-set levels (x86-64-v4: AVX-512,
   x86-64-v3: AVX2 + FMA, x86-64: SSE2) and the level is chosen once per process from the CPU,
   or lowered by the environment variable NEURODYN_ISA (x86-64-v4 | x86-64-v3 | x86-64), so that
   any x86-64 runs the binary and one CPU can reproduce another family's bits. Called only from
   GSLKit. */

enum { ND_ISA_BASELINE = 0, ND_ISA_V3 = 1, ND_ISA_V4 = 2 };

/* The level the kernels run at: the CPU's, or NEURODYN_ISA's where that is lower. */
int nd_isa_level(void);
/* The CPU's own level. */
int nd_isa_cpu_level(void);
/* The level a NEURODYN_ISA value names: -1 for none (NULL or empty), -2 for an unknown name. */
int nd_isa_requested(const char *name);

/* out[i * n + j] = -scale * |p_i - q_j|^2 for p (m x d, row-major) and qT (d x n: q transposed). */
void nd_scaled_squared_distances(size_t m, size_t n, size_t d, const double *p, const double *qT, double scale, double *out);

/* out[i * n + j] = exp(a[i * n + j] + f[i] + g[j]). */
void nd_exp_shifted(size_t m, size_t n, const double *a, const double *f, const double *g, double *out);

/* values[i] = tanh(z[i]), slopes[i] = 1 - tanh(z[i])^2, each within about 2 ulp (tanh.c). */
void nd_tanh_and_slope(size_t count, const double *z, double *values, double *slopes);

/* One-hidden-layer perceptron over `batch` rows (perceptron.c); x (batch x d), w1 (h x d),
   w2 (d x h), z, t, s (batch x h), all row-major; scratch blocks are the caller's. */

/* z = x w1^T + b1; scratch holds d * h doubles. */
void nd_affine_rows(size_t batch, size_t d, size_t h, const double *x, const double *w1, const double *b1, double *z,
                    double *scratch);

/* f = t w2^T + b2 (batch x d). */
void nd_linear_rows(size_t batch, size_t h, size_t d, const double *t, const double *w2, const double *b2, double *f);

/* With t = phi(z), s = phi'(z) and cotangents p (batch x d), g = (p w2) * s:
   x_bar = g w1 (batch x d, overwritten); dw1 += scale g^T x, db1 += scale sum_i g_i,
   dw2 += scale p^T t, db2 += scale sum_i p_i; scratch holds nd_perceptron_pullback_scratch(d, h) doubles. */
/* W1^T and the accumulators (3 d h + h + d) and g for a block of 8 rows (perceptron.c's ROWS). */
static inline size_t nd_perceptron_pullback_scratch(size_t d, size_t h) { return 3 * d * h + 9 * h + d; }
void nd_perceptron_pullback(size_t batch, size_t d, size_t h, const double *x, const double *t, const double *s,
                            const double *p, const double *w1, const double *w2, double scale, double *x_bar,
                            double *dw1, double *db1, double *dw2, double *db2, double *scratch);

#endif
