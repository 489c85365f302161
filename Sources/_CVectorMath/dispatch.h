#ifndef NEURODYN_CVECTORMATH_DISPATCH_H
#define NEURODYN_CVECTORMATH_DISPATCH_H

/* One kernel, three instruction-set levels, chosen at run time (isa.c): the body is written once
   as an always-inline function and compiled into a wrapper per level; the exported function calls
   the wrapper of nd_isa_level(). Unlike target_clones, whose resolver reads only the CPU, this
   lets NEURODYN_ISA pin a lower level, so an AVX-512 machine reproduces an AVX2 machine's bits.
   tune=x86-64 keeps target_clones' tuning: with the default (generic) tuning clang prefers
   256-bit vectors even for x86-64-v4 and the AVX-512 build ran 15% slower. */

#define ND_INLINE __attribute__((always_inline)) static inline

#define ND_DISPATCH(name, params, args)                                                        \
    __attribute__((target("arch=x86-64-v4,tune=x86-64"))) static void name##_v4 params { name##_impl args; } \
    __attribute__((target("arch=x86-64-v3,tune=x86-64"))) static void name##_v3 params { name##_impl args; } \
    static void name##_baseline params { name##_impl args; }                                   \
    void name params {                                                                          \
        switch (nd_isa_level()) {                                                               \
        case ND_ISA_V4: name##_v4 args; break;                                                  \
        case ND_ISA_V3: name##_v3 args; break;                                                  \
        default: name##_baseline args;                                                          \
        }                                                                                       \
    }

/* The same for kernels built for AVX2 at most, as they always were (libmvec's 4-lane exp):
   x86-64-v4 runs the x86-64-v3 wrapper. */
#define ND_DISPATCH_UPTO_V3(name, params, args)                                                \
    __attribute__((target("arch=x86-64-v3,tune=x86-64"))) static void name##_v3 params { name##_impl args; } \
    static void name##_baseline params { name##_impl args; }                                   \
    void name params {                                                                          \
        if (nd_isa_level() >= ND_ISA_V3) name##_v3 args;                                        \
        else name##_baseline args;                                                              \
    }

#endif
