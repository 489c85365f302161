#ifndef NEURODYN__CGSLSUPPORT_H
#define NEURODYN__CGSLSUPPORT_H

#include <stddef.h>

/* The few pieces of C logic GSLKit needs beside GSL's own API (gsl_support.c). The header names
   no GSL type, so that GSL's headers are read once, by the _CGSL module. Called only from GSLKit. */

/* glibc's allocator: keep blocks up to 256 MiB on the heap and freed memory in the process. */
void cgsl_keep_large_blocks_on_heap(void);

/* GSL's stepper type (a const gsl_odeiv2_step_type *) looked up by its own name
   (`gsl_odeiv2_step_type.name`, e.g. "rk8pd"), so that the Swift enum's raw values pin each case
   to its stepper; NULL for an unknown name. */
const void *cgsl_odeiv2_step_named(const char *name);

/* Fills an MT19937 state (gsl_rng_state of a gsl_rng_mt19937 generator, `size` bytes) from 624
   words; returns 0 if the state has another size. */
int cgsl_mt19937_fill_state(void *state, size_t size, const unsigned int *words);

#endif
