// The bf16 GEMM on AMX: tdpbf16ps multiplies a 16 x 32 bf16 tile of A by a 32 x 16 tile of B
// (16 pair rows of one packed panel) into a 16 x 16 fp32 tile of sums. A block of two row tiles
// by two panels keeps four sum tiles (tmm0-3) and loads two A tiles (tmm4-5) and two B tiles
// (tmm6-7) per 32 k; edge blocks skip the tiles they lack.
#include "CReducedPrecision.h"

#include <immintrin.h>
#include <string.h>

#define TARGET __attribute__((target("amx-tile,amx-bf16,avx512f")))

// LDTILECFG's 64-byte operand: palette 1, every tile 16 rows of 64 bytes.
struct tile_config {
    uint8_t palette, startRow, reserved[14];
    uint16_t bytesPerRow[16];
    uint8_t rows[16];
};

TARGET static void configure_tiles(void) {
    struct tile_config config;
    memset(&config, 0, sizeof config);
    config.palette = 1;
    for (int t = 0; t < 8; t++) {
        config.rows[t] = 16;
        config.bytesPerRow[t] = 64;
    }
    _tile_loadconfig(&config);
}

// Copies the valid part of a 16 x 16 tile stored at `tile` into C.
static void copy_part(const float *tile, long rows, long columns, float *c, long ldc) {
    for (long i = 0; i < rows; i++) memcpy(c + i * ldc, tile + 16 * i, (size_t)columns * sizeof(float));
}

// Stores sum tile T at C's row r0, column c0: straight into C when whole, else through `spill`.
#define STORE_TILE(T, r0, c0)                                                               \
    do {                                                                                    \
        long rows_ = m - (r0) < 16 ? m - (r0) : 16, cols_ = n - (c0) < 16 ? n - (c0) : 16;  \
        if (rows_ == 16 && cols_ == 16) {                                                   \
            _tile_stored(T, c + (r0) * ldc + (c0), ldc * (long)sizeof(float));             \
        } else {                                                                            \
            _tile_stored(T, spill, 64);                                                     \
            copy_part(spill, rows_, cols_, c + (r0) * ldc + (c0), ldc);                     \
        }                                                                                   \
    } while (0)

TARGET void cinfer_bf16_gemm_amx(const uint16_t *a, long m, long depth, const uint16_t *packed, long n,
                                 long panelBegin, long panelEnd, float *c, long ldc) {
    float spill[256] __attribute__((aligned(64)));
    long rowTiles = (m + 15) / 16, aStride = depth * (long)sizeof(uint16_t);
    configure_tiles();
    for (long p = panelBegin; p < panelEnd; p += 2) {
        int twoPanels = p + 1 < panelEnd;
        const uint16_t *b0 = packed + p * depth * 16, *b1 = b0 + depth * 16;
        for (long t = 0; t < rowTiles; t += 2) {
            int twoRows = t + 1 < rowTiles;
            const uint16_t *a0 = a + t * 16 * depth, *a1 = a0 + 16 * depth;
            long r0 = 16 * t, c0 = 16 * p;
            _tile_zero(0);
            _tile_zero(1);
            _tile_zero(2);
            _tile_zero(3);
            // Only the tiles that exist are loaded and multiplied; the branches are the same for
            // the whole k loop (and tile numbers stay immediates, as the instructions need).
            for (long k = 0; k < depth; k += 32) {
                _tile_loadd(4, a0 + k, aStride);
                _tile_loadd(6, b0 + k * 16, 64);
                if (twoRows) _tile_loadd(5, a1 + k, aStride);
                if (twoPanels) _tile_loadd(7, b1 + k * 16, 64);
                _tile_dpbf16ps(0, 4, 6);
                if (twoPanels) _tile_dpbf16ps(1, 4, 7);
                if (twoRows) _tile_dpbf16ps(2, 5, 6);
                if (twoRows && twoPanels) _tile_dpbf16ps(3, 5, 7);
            }
            STORE_TILE(0, r0, c0);
            if (twoPanels) STORE_TILE(1, r0, c0 + 16);
            if (twoRows) STORE_TILE(2, r0 + 16, c0);
            if (twoRows && twoPanels) STORE_TILE(3, r0 + 16, c0 + 16);
        }
    }
    // Hand the tile state back, so the OS need not save it on every context switch.
    _tile_release();
}
