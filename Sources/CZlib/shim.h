#include <zlib.h>

/* deflateInit2/inflateInit2 are macros (they pass the library version and the
   stream size), which Swift cannot call: plain wrappers. */
static inline int czlib_inflate_init_gzip(z_stream *s) {
    return inflateInit2(s, 15 + 32);   /* 32: accept a gzip or zlib header */
}
static inline int czlib_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);   /* 16: write a gzip header */
}
static inline int czlib_inflate_init_raw_or_zlib(z_stream *s, int windowBits) {
    return inflateInit2(s, windowBits);
}
