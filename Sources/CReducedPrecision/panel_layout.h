// The panel layout both packed-B formats use (CReducedPrecision.h): n in panels of 16 columns,
// k in groups of `group` values of one column side by side (pairs for bf16, quads for int8),
// one 16 * group element row per group, panels of `depth` k each.
#ifndef CINFER_PANEL_LAYOUT_H
#define CINFER_PANEL_LAYOUT_H

#include <stddef.h>
#include <string.h>

// Copies B (element [i][j], of `size` bytes, at b + (i * rowStride + j * colStride) * size) into
// `packed`, whose padding the caller has zeroed.
static inline void cinfer_pack_panels(const void *b, size_t size, long group, long rowStride, long colStride,
                                      long k, long n, long depth, void *packed) {
    const char *src = (const char *)b;
    char *dst = (char *)packed;
    long panels = (n + 15) / 16;
    for (long p = 0; p < panels; p++) {
        char *panel = dst + (size_t)(p * depth * 16) * size;
        long columns = n - 16 * p < 16 ? n - 16 * p : 16;
        for (long i = 0; i < k; i++) {
            // Row i of B goes to group row i / group, slot i % group of each column's group.
            char *row = panel + (size_t)((i / group) * 16 * group + i % group) * size;
            for (long j = 0; j < columns; j++)
                memcpy(row + (size_t)(j * group) * size, src + (size_t)(i * rowStride + (16 * p + j) * colStride) * size, size);
        }
    }
}

#endif
