#include "_CGSLSupport.h"

#include <gsl/gsl_odeiv2.h>
#include <malloc.h>
#include <string.h>

void cgsl_keep_large_blocks_on_heap(void) {
    mallopt(M_MMAP_THRESHOLD, 256 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
}

const void *cgsl_odeiv2_step_named(const char *name) {
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
   (struct { unsigned long mt[624]; int mti; }); a state of another size is refused, so a change
   in GSL is caught rather than written past. */
typedef struct { unsigned long mt[624]; int mti; } cgsl_mt_state;

int cgsl_mt19937_fill_state(void *raw, size_t size, const unsigned int *words) {
    if (size != sizeof(cgsl_mt_state)) return 0;
    cgsl_mt_state *state = raw;
    int nonzero = 0;
    for (int i = 0; i < 624; i++) { state->mt[i] = words[i]; nonzero |= (words[i] != 0); }
    if (!nonzero) state->mt[0] = 0x80000000UL; /* the all-zero state is the one forbidden state */
    state->mti = 624;
    return 1;
}
