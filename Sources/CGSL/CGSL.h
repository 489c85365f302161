#ifndef NEURODYN_CGSL_H
#define NEURODYN_CGSL_H

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
#include <malloc.h>
#include <string.h>

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
/* glibc's allocator: keep blocks up to 256 MiB on the heap and freed memory in the process. */
static inline void cgsl_keep_large_blocks_on_heap(void) {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}
/* GSL's stepper types looked up by their own name (`gsl_odeiv2_step_type.name`, e.g. "rk8pd"),
   so that the Swift enum's raw values pin each case to its stepper. */
static inline const gsl_odeiv2_step_type *cgsl_odeiv2_step_named(const char *name) {
    const gsl_odeiv2_step_type *all[] = {
        gsl_odeiv2_step_rk2, gsl_odeiv2_step_rk4, gsl_odeiv2_step_rkf45, gsl_odeiv2_step_rkck,
        gsl_odeiv2_step_rk8pd, gsl_odeiv2_step_rk1imp, gsl_odeiv2_step_rk2imp, gsl_odeiv2_step_rk4imp,
        gsl_odeiv2_step_bsimp, gsl_odeiv2_step_msadams, gsl_odeiv2_step_msbdf};
    for (unsigned i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (strcmp(all[i]->name, name) == 0) return all[i];
    }
    return 0;
}

/* GSL seeds MT19937 from one 32-bit integer (gsl_rng_set keeps s & 0xffffffff), so among 10^4
   networks two would share a stream with probability ~1%. This fills the whole 624-word state
   instead, the way numpy's SeedSequence seeds its MT19937. The layout mirrors GSL's rng/mt.c
   (struct { unsigned long mt[624]; int mti; }); returns 0 if the generator's state has another
   size, so a change in GSL is caught rather than written past. */
typedef struct { unsigned long mt[624]; int mti; } cgsl_mt_state;
static inline int cgsl_rng_mt19937_fill_state(gsl_rng *r, const unsigned int *words) {
    if (r->type != gsl_rng_mt19937 || gsl_rng_size(r) != sizeof(cgsl_mt_state)) return 0;
    cgsl_mt_state *state = (cgsl_mt_state *)gsl_rng_state(r);
    int nonzero = 0;
    for (int i = 0; i < 624; i++) { state->mt[i] = words[i]; nonzero |= (words[i] != 0); }
    if (!nonzero) state->mt[0] = 0x80000000UL; /* the all-zero state is the one forbidden state */
    state->mti = 624;
    return 1;
}

#endif
