#include "_CVectorMath.h"
#include "dispatch.h"
#include <string.h>


/* Products of a one-hidden-layer perceptron f(x) = W2 phi(W1 x + b1) + b2 over a batch of rows.
   Every shape in the residual benchmark is skinny (d = 3 inputs, h = 32 hidden units), where a
   general matrix product spends more in packing and dispatch than in arithmetic; these loops go
   row by row with the hidden index innermost (contiguous, vectorised). Sums over the hidden index
   run in LANES partial sums added in a fixed order, so results do not depend on the CPU's vector
   width beyond the rounding of the fused multiply-adds. */

enum { LANES = 8, MAXD = 4, ROWS = 8 };  /* ROWS: see nd_perceptron_pullback_scratch */

/* Small input dimensions (2 and 3, the usual residual fields) get their own instantiations with d
   a constant, so that the loops over it unroll; the output sums of those paths share one pass
   over the hidden row (joint partial sums for up to MAXD outputs). */

/* The sum of LANES partial sums by halving (a fixed order, as vector shuffles). */
ND_INLINE double reduce(double *partial) {
    for (size_t width = LANES / 2; width > 0; width /= 2)
        for (size_t l = 0; l < width; l++) partial[l] += partial[l + width];
    return partial[0];
}

ND_INLINE double dot(size_t n, const double *a, const double *b) {
    double partial[LANES] = {0};
    size_t j = 0;
    for (; j + LANES <= n; j += LANES)
        for (size_t l = 0; l < LANES; l++) partial[l] += a[j + l] * b[j + l];
    for (size_t l = 0; j < n; j++, l++) partial[l] += a[j] * b[j];
    return reduce(partial);
}

static void transpose(size_t rows, size_t cols, const double *w, double *out) {
    for (size_t i = 0; i < rows; i++)
        for (size_t j = 0; j < cols; j++) out[j * rows + i] = w[i * cols + j];
}

ND_INLINE void affine(size_t batch, size_t d, size_t h, const double *restrict x, const double *restrict w1t,
                      const double *restrict b1, double *restrict z) {
    for (size_t i = 0; i < batch; i++) {
        double *restrict row = z + i * h;
        const double *restrict xi = x + i * d;
        for (size_t j = 0; j < h; j++) {
            double acc = b1[j];
            for (size_t k = 0; k < d; k++) acc += xi[k] * w1t[k * h + j];
            row[j] = acc;
        }
    }
}

ND_INLINE void nd_affine_rows_impl(size_t batch, size_t d, size_t h, const double *x, const double *w1, const double *b1, double *z,
                    double *w1t) {
    transpose(h, d, w1, w1t);
    switch (d) {
    case 2: affine(batch, 2, h, x, w1t, b1, z); break;
    case 3: affine(batch, 3, h, x, w1t, b1, z); break;
    default: affine(batch, d, h, x, w1t, b1, z);
    }
}

/* f = t w2^T + b2 for d <= MAXD outputs. */
ND_INLINE void linear_small(size_t batch, size_t h, size_t d, const double *restrict t, const double *restrict w2,
                            const double *restrict b2, double *restrict f) {
    for (size_t i = 0; i < batch; i++) {
        const double *restrict ti = t + i * h;
        double partial[MAXD][LANES];
        for (size_t k = 0; k < d; k++) for (size_t l = 0; l < LANES; l++) partial[k][l] = 0;
        size_t j = 0;
        for (; j + LANES <= h; j += LANES)
            for (size_t k = 0; k < d; k++)
                for (size_t l = 0; l < LANES; l++) partial[k][l] += ti[j + l] * w2[k * h + j + l];
        for (size_t l = 0; j < h; j++, l++)
            for (size_t k = 0; k < d; k++) partial[k][l] += ti[j] * w2[k * h + j];
        for (size_t k = 0; k < d; k++) f[i * d + k] = b2[k] + reduce(partial[k]);
    }
}

ND_INLINE void nd_linear_rows_impl(size_t batch, size_t h, size_t d, const double *t, const double *w2, const double *b2, double *f) {
    switch (d) {
    case 2: linear_small(batch, h, 2, t, w2, b2, f); break;
    case 3: linear_small(batch, h, 3, t, w2, b2, f); break;
    default:
        for (size_t i = 0; i < batch; i++)
            for (size_t k = 0; k < d; k++) f[i * d + k] = b2[k] + dot(h, w2 + k * h, t + i * h);
    }
}

/* In blocks of ROWS rows: per row g = (p_i w2) * s_i and x_bar_i = g w1; then the block's terms of
   the gradient sums, unscaled, into aw1t (dW1 transposed), aw2, ab1, ab2, each accumulator read
   and written once per block rather than once per row. */
ND_INLINE void pullback(size_t batch, size_t d, size_t h, const double *restrict x, const double *restrict t,
                        const double *restrict s, const double *restrict p, const double *restrict w1t,
                        const double *restrict w2, double *restrict x_bar, double *restrict aw1t,
                        double *restrict aw2, double *restrict ab1, double *restrict ab2, double *restrict g) {
    for (size_t start = 0; start < batch; start += ROWS) {
        const size_t rows = batch - start < ROWS ? batch - start : ROWS;
        const double *restrict xb = x + start * d, *restrict pb = p + start * d;
        const double *restrict tb = t + start * h, *restrict sb = s + start * h;
        for (size_t r = 0; r < rows; r++) {
            double *restrict gr = g + r * h;
            for (size_t j = 0; j < h; j++) {
                double acc = 0;
                for (size_t k = 0; k < d; k++) acc += pb[r * d + k] * w2[k * h + j];
                gr[j] = acc * sb[r * h + j];
            }
            for (size_t k = 0; k < d; k++) x_bar[(start + r) * d + k] = dot(h, gr, w1t + k * h);
        }
        if (rows == ROWS) {
            for (size_t k = 0; k < d; k++) {
                double *restrict a2 = aw2 + k * h, *restrict a1 = aw1t + k * h;
                for (size_t j = 0; j < h; j++) {
                    double s2 = a2[j], s1 = a1[j];
                    for (size_t r = 0; r < ROWS; r++) {
                        s2 += pb[r * d + k] * tb[r * h + j];
                        s1 += xb[r * d + k] * g[r * h + j];
                    }
                    a2[j] = s2;
                    a1[j] = s1;
                }
            }
            for (size_t j = 0; j < h; j++) {
                double s0 = ab1[j];
                for (size_t r = 0; r < ROWS; r++) s0 += g[r * h + j];
                ab1[j] = s0;
            }
        } else {
            for (size_t r = 0; r < rows; r++) {
                for (size_t k = 0; k < d; k++) {
                    double *restrict a2 = aw2 + k * h, *restrict a1 = aw1t + k * h;
                    for (size_t j = 0; j < h; j++) {
                        a2[j] += pb[r * d + k] * tb[r * h + j];
                        a1[j] += xb[r * d + k] * g[r * h + j];
                    }
                }
                for (size_t j = 0; j < h; j++) ab1[j] += g[r * h + j];
            }
        }
        for (size_t r = 0; r < rows; r++)
            for (size_t k = 0; k < d; k++) ab2[k] += pb[r * d + k];
    }
}

ND_INLINE void nd_perceptron_pullback_impl(size_t batch, size_t d, size_t h, const double *x, const double *t, const double *s,
                            const double *p, const double *w1, const double *w2, double scale, double *x_bar,
                            double *dw1, double *db1, double *dw2, double *db2, double *block) {
    memset(block, 0, (3 * d * h + h + d) * sizeof *block);  /* the accumulators; g is written before it is read */
    double *w1t = block, *aw1t = w1t + d * h, *aw2 = aw1t + d * h, *ab1 = aw2 + d * h, *ab2 = ab1 + h, *g = ab2 + d;
    transpose(h, d, w1, w1t);
    switch (d) {
    case 2: pullback(batch, 2, h, x, t, s, p, w1t, w2, x_bar, aw1t, aw2, ab1, ab2, g); break;
    case 3: pullback(batch, 3, h, x, t, s, p, w1t, w2, x_bar, aw1t, aw2, ab1, ab2, g); break;
    default: pullback(batch, d, h, x, t, s, p, w1t, w2, x_bar, aw1t, aw2, ab1, ab2, g);
    }
    for (size_t j = 0; j < h; j++) {
        db1[j] += scale * ab1[j];
        for (size_t k = 0; k < d; k++) dw1[j * d + k] += scale * aw1t[k * h + j];
    }
    for (size_t k = 0; k < d; k++) {
        db2[k] += scale * ab2[k];
        for (size_t j = 0; j < h; j++) dw2[k * h + j] += scale * aw2[k * h + j];
    }
}

ND_DISPATCH(nd_affine_rows, (size_t batch, size_t d, size_t h, const double *x, const double *w1, const double *b1, double *z,
                    double *w1t), (batch, d, h, x, w1, b1, z, w1t))
ND_DISPATCH(nd_linear_rows, (size_t batch, size_t h, size_t d, const double *t, const double *w2, const double *b2, double *f), (batch, h, d, t, w2, b2, f))
ND_DISPATCH(nd_perceptron_pullback, (size_t batch, size_t d, size_t h, const double *x, const double *t, const double *s,
                            const double *p, const double *w1, const double *w2, double scale, double *x_bar,
                            double *dw1, double *db1, double *dw2, double *db2, double *block), (batch, d, h, x, t, s, p, w1, w2, scale, x_bar, dw1, db1, dw2, db2, block))
