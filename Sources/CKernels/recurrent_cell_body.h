// The fused GRU / LSTM cell steps (FusedCells.swift describes the layout), written once
// and included by recurrent_cells.c for each element type with these macros defined:
//   CK_REAL      float or double
//   CK_NAME(f)   the exported name of f for that type (f ## _f32, f ## _f64)
//   CK_SIG(x)    logistic sigmoid, CK_TANH(x) hyperbolic tangent
//   CK_UNIT_LOOP the pragma before each loop over units (empty where libm calls keep it scalar)
// Every value is computed from its own unit's inputs only (no sums across units), so the
// results do not depend on how rows are split into blocks or threads. The loops over units
// carry `vectorize(assume_safety)` (Float32): in evaluation the GRU's h_{t−1} and the next step's
// [x | h] slot are the same memory, which is safe (each unit is read before it is written at
// the same index) but would otherwise make the vectoriser fall back to its scalar loop.

CK_CLONES
void CK_NAME(ck_gru_forward)(ptrdiff_t rows, ptrdiff_t h, CK_REAL *pre, const CK_REAL *bias,
                             const CK_REAL *hPrev, ptrdiff_t hPrevStride, CK_REAL *out, ptrdiff_t outStride,
                             CK_REAL *hNext, ptrdiff_t hNextStride) {
    const CK_REAL one = 1;
    for (ptrdiff_t r = 0; r < rows; r++) {
        CK_REAL *p = pre + r * 4 * h, *o = out + r * outStride;
        const CK_REAL *hp = hPrev + r * hPrevStride;
CK_UNIT_LOOP
        for (ptrdiff_t j = 0; j < h; j++) {
            const CK_REAL rg = CK_SIG(p[j] + bias[j]), z = CK_SIG(p[h + j] + bias[h + j]);
            const CK_REAL hn = p[3 * h + j] + bias[3 * h + j];
            const CK_REAL n = CK_TANH(p[2 * h + j] + bias[2 * h + j] + rg * hn);
            const CK_REAL hv = (one - z) * n + z * hp[j];
            p[j] = rg; p[h + j] = z; p[2 * h + j] = n; p[3 * h + j] = hn;
            o[j] = hv;
        }
        if (hNext) memcpy(hNext + r * hNextStride, o, sizeof(CK_REAL) * (size_t)h);
    }
}

CK_CLONES
void CK_NAME(ck_lstm_forward)(ptrdiff_t rows, ptrdiff_t h, CK_REAL *pre, const CK_REAL *bias, CK_REAL *cell,
                              CK_REAL *out, ptrdiff_t outStride, CK_REAL *hNext, ptrdiff_t hNextStride,
                              CK_REAL *cellOut) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        CK_REAL *p = pre + r * 4 * h, *o = out + r * outStride, *c = cell + r * h;
CK_UNIT_LOOP
        for (ptrdiff_t j = 0; j < h; j++) {
            const CK_REAL i = CK_SIG(p[j] + bias[j]), f = CK_SIG(p[h + j] + bias[h + j]);
            const CK_REAL g = CK_TANH(p[2 * h + j] + bias[2 * h + j]), og = CK_SIG(p[3 * h + j] + bias[3 * h + j]);
            const CK_REAL cNew = f * c[j] + i * g;
            c[j] = cNew;
            o[j] = og * CK_TANH(cNew);
            p[j] = i; p[h + j] = f; p[2 * h + j] = g; p[3 * h + j] = og;
        }
        if (hNext) memcpy(hNext + r * hNextStride, o, sizeof(CK_REAL) * (size_t)h);
        if (cellOut) memcpy(cellOut + r * h, c, sizeof(CK_REAL) * (size_t)h);
    }
}

CK_CLONES
void CK_NAME(ck_gru_backward)(ptrdiff_t rows, ptrdiff_t h, const CK_REAL *gates, const CK_REAL *dOut, ptrdiff_t dOutStride,
                              CK_REAL *dh, ptrdiff_t dhStride, const CK_REAL *hPrev, ptrdiff_t hPrevStride,
                              CK_REAL *dPre) {
    const CK_REAL one = 1;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const CK_REAL *g = gates + r * 4 * h, *dor = dOut + r * dOutStride, *hp = hPrev + r * hPrevStride;
        CK_REAL *d = dPre + r * 4 * h, *dhr = dh + r * dhStride;
CK_UNIT_LOOP
        for (ptrdiff_t j = 0; j < h; j++) {
            const CK_REAL rg = g[j], z = g[h + j], n = g[2 * h + j], hn = g[3 * h + j];
            const CK_REAL dht = dor[j] + dhr[j];
            const CK_REAL dn = dht * (one - z) * (one - n * n);
            const CK_REAL dz = dht * (hp[j] - n) * z * (one - z);
            d[j] = dn * hn * rg * (one - rg);
            d[h + j] = dz;
            d[2 * h + j] = dn;
            d[3 * h + j] = dn * rg;
            dhr[j] = dht * z;
        }
    }
}

CK_CLONES
void CK_NAME(ck_lstm_backward)(ptrdiff_t rows, ptrdiff_t h, const CK_REAL *gates, const CK_REAL *dOut, ptrdiff_t dOutStride,
                               CK_REAL *dh, ptrdiff_t dhStride, const CK_REAL *cell, const CK_REAL *cellPrev,
                               CK_REAL *dCell, CK_REAL *dPre) {
    const CK_REAL one = 1;
    for (ptrdiff_t r = 0; r < rows; r++) {
        const CK_REAL *g = gates + r * 4 * h, *dor = dOut + r * dOutStride;
        const CK_REAL *c = cell + r * h, *cp = cellPrev + r * h;
        CK_REAL *d = dPre + r * 4 * h, *dhr = dh + r * dhStride, *dc = dCell + r * h;
CK_UNIT_LOOP
        for (ptrdiff_t j = 0; j < h; j++) {
            const CK_REAL i = g[j], f = g[h + j], gg = g[2 * h + j], og = g[3 * h + j];
            const CK_REAL dht = dor[j] + dhr[j], tc = CK_TANH(c[j]);
            const CK_REAL dct = dc[j] + dht * og * (one - tc * tc);
            d[j] = dct * gg * i * (one - i);
            d[h + j] = dct * cp[j] * f * (one - f);
            d[2 * h + j] = dct * i * (one - gg * gg);
            d[3 * h + j] = dht * tc * og * (one - og);
            dc[j] = dct * f;
            dhr[j] = 0;
        }
    }
}
