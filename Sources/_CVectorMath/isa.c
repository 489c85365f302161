#include "_CVectorMath.h"
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static int cpu_level(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512cd")
        && __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return ND_ISA_V4;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")
        && __builtin_cpu_supports("f16c"))
        return ND_ISA_V3;
    return ND_ISA_BASELINE;
}

int nd_isa_requested(const char *name) {
    if (name == NULL || *name == 0) return -1;
    if (strcmp(name, "x86-64-v4") == 0) return ND_ISA_V4;
    if (strcmp(name, "x86-64-v3") == 0) return ND_ISA_V3;
    if (strcmp(name, "x86-64") == 0) return ND_ISA_BASELINE;
    return -2;
}

int nd_isa_cpu_level(void) { return cpu_level(); }

int nd_isa_level(void) {
    static atomic_int level = -1;
    int value = atomic_load_explicit(&level, memory_order_relaxed);
    if (value >= 0) return value;
    value = cpu_level();
    const int requested = nd_isa_requested(getenv("NEURODYN_ISA"));
    if (requested >= 0 && requested < value) value = requested;
    atomic_store_explicit(&level, value, memory_order_relaxed);
    return value;
}
