#ifndef NEURODYN__CGSL_H
#define NEURODYN__CGSL_H

/* GSL's inline range-checked accessors; with the abort handler off they return 0.0 silently,
   so Swift keeps data in its own arrays and hands GSL views. */
#define HAVE_INLINE 1

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_sf_erf.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_version.h>
#include <gsl/gsl_cblas.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_permutation.h>

/* OpenBLAS's own entry points (its cblas.h would clash with gsl_cblas.h). */
char *openblas_get_config(void);
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);

/* Swift 6 rejects reading GSL's global type pointers directly: one accessor each. */
static inline const gsl_rng_type *cgsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_root_fsolver_type *cgsl_root_fsolver_brent(void) { return gsl_root_fsolver_brent; }
static inline const gsl_min_fminimizer_type *cgsl_min_fminimizer_brent(void) { return gsl_min_fminimizer_brent; }
static inline const char *cgsl_version(void) { return gsl_version; }
#endif
