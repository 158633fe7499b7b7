// The CSV tokeniser's byte scan (see CKernels.h for why it is in C): the offsets of every
// separator, newline and quote of a block, found 64 bytes at a time. Clang's vector
// extensions compile the compare-and-mask to AVX-512BW (one k-mask), AVX2 (two
// vpmovmskb) or SSE2 (four) in the clones; the bits are written out eight at a time.
#include <string.h>
#include "CKernels.h"
#include "ck_clones.h"

typedef uint8_t ck_u8x64 __attribute__((vector_size(64), aligned(1)));
typedef _Bool ck_mask64 __attribute__((ext_vector_type(64)));

/// Bit i set when byte i of the 64 at p is sep, '\n' or '"'.
static inline __attribute__((always_inline)) uint64_t special_mask(const uint8_t *p, uint8_t sep) {
    ck_u8x64 v;
    memcpy(&v, p, 64);
    const ck_u8x64 s = (ck_u8x64){0} + sep, nl = (ck_u8x64){0} + 10, q = (ck_u8x64){0} + 34;
    ck_mask64 m = __builtin_convertvector((v == s) | (v == nl) | (v == q), ck_mask64);
    uint64_t bits;
    memcpy(&bits, &m, 8);
    return bits;
}

/// Appends base + the index of every set bit of `bits` to out[k...]; returns the new k.
/// Writes eight entries a step, so up to 7 past the last one are scratch.
static inline __attribute__((always_inline)) int64_t flatten(uint32_t *restrict out, int64_t k, uint32_t base, uint64_t bits) {
    const int cnt = __builtin_popcountll(bits);
    uint32_t *o = out + k;
    while (bits) {
        for (int j = 0; j < 8; j++) {
            o[j] = base + (uint32_t)__builtin_ctzll(bits | (1ULL << 63));
            bits &= bits - 1;
        }
        o += 8;
    }
    return k + cnt;
}

CK_CLONES
int64_t ck_csv_specials(const uint8_t *p, int64_t n, uint8_t sep, uint32_t *out) {
    int64_t k = 0, i = 0;
    for (; i + 64 <= n; i += 64) k = flatten(out, k, (uint32_t)i, special_mask(p + i, sep));
    for (; i < n; i++) {
        const uint8_t b = p[i];
        if (b == sep || b == 10 || b == 34) out[k++] = (uint32_t)i;
    }
    return k;
}
