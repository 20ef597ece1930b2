/*
 * Compiled kernel of the all-vs-all sieve (stationplan.screening.sieve.sieve_all).
 *
 * The tests are exactly those of sieve.py, whose module docstring derives them; this file
 * only changes how candidate pairs are enumerated. Instead of a scipy k-d tree that returns
 * every pair within the sieve radius as arrays, each grid point t sorts the usable objects
 * by cubic cell and sweeps the sorted cells, applying to each pair in one pass:
 *
 *   1. a radius test on positions at a sub-window time (below)
 *   2. the half-window test on the straight relative path d + w tau, |tau| <= h/2
 *      (sieve._half_window_passes, without the float32 allowance)
 *   3. the chord test on each adjacent grid interval (sieve._passes: the sieve guarantee)
 *   4. the co-orbiting test (attached: close and slow relative to each other)
 *
 * in double precision.
 *
 * Completeness. If a pair comes within D during an interval, it does so within h/2 of the
 * nearer grid point t, and then passes the half-window test at t (sieve.py). A pair that
 * passes it has a straight-path closest approach at some tau* with |d + w tau*| <= reach,
 * and every reach is at most R0 = (K + g (4 v_max + 2 dv) h/2) / (1 - g), with
 * K = D + 2 dv h/2 + margin(0), g = G h^2/8 and v_max the largest speed at t (reach =
 * K + g far and far <= reach + (2|w| + 2 dv) h/2, |w| <= 2 v_max). The half window is cut
 * into M sub-windows of length delta = h/M centred at tau_m; if tau* is in sub-window m,
 * the positions y = x + v tau_m satisfy |y_j - y_i| <= R0 + (|v_i| + |v_j|) delta/2.
 * Pairs are sought sub-window by sub-window with that radius test, and a pair already
 * accepted by it in an earlier sub-window is skipped (the test is recomputed bit for bit:
 * the extension is built with -ffp-contract=off).
 *
 * Enumeration. Slow objects (|v| <= slow_speed) are sorted into cubic cells of side
 * c = R0 + slow_speed delta (slightly enlarged against rounding), so a slow pair that passes
 * the radius test lies in the same or a neighbouring cell. Cell coordinates are packed into
 * one key (z, y, x fields, each shifted to start at 1) and the slow objects radix-sorted by
 * key; the 13 forward neighbours of cell K are then the key K + 1 and four key ranges
 * [K + off - 1, K + off + 1], off = Y, Z - Y, Z, Z + Y, whose starts only move forward as K
 * grows: a sweep, with no hashing or searching. Positions, speeds and velocities of the
 * sorted objects are kept one array per field, so each member of a cell meets its partners
 * in contiguous runs, four at a time (cell_against: a division-free superset
 * of visit_pair's straight-path quick reject, with a widened R0^2, picks the pairs that go
 * to visit_pair, which applies every exact test). Each fast object meets the slow objects
 * of every cell within r = R0 + (|v| + slow_speed) delta/2 of it along each axis (a binary
 * search per row of cells), and the fast objects meet each other pair by pair.
 *
 * Only the Python C API and the buffer protocol are used (no NumPy headers).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <float.h>

/* The sub-window de-duplication recomputes separations and must get the enumeration's
 * values bit for bit: no contraction into fused multiply-adds (setup.py also passes
 * -ffp-contract=off for GCC), no excess precision. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(_MSC_VER)
#pragma fp_contract(off)
#endif
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD != 0
#error "the sieve kernel needs FLT_EVAL_METHOD == 0 (SSE2 arithmetic, not x87)"
#endif

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- growable outputs */

typedef struct {
    char *data;
    size_t used; /* bytes */
    size_t cap;  /* bytes */
} Buf;

static int buf_push(Buf *b, const void *item, size_t size) {
    if (b->used + size > b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 4096;
        while (cap < b->used + size) cap *= 2;
        char *data = (char *)realloc(b->data, cap);
        if (!data) return -1;
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->used, item, size);
    b->used += size;
    return 0;
}

static PyObject *buf_bytes(Buf *b) {
    return PyBytes_FromStringAndSize(b->data ? b->data : "", (Py_ssize_t)b->used);
}

/* ---------------------------------------------------------------- sieve parameters */

typedef struct {
    double step_s;          /* h */
    double distance_km;     /* D */
    double crude_km;        /* A_crude h^2/8 */
    double gradient_s2;     /* G */
    double residual_km_s2;  /* A0 */
    double mismatch_km_s;   /* delta v */
    double attach_km;
    double attach_speed_km_s;
    double slow_speed_km_s;
    double sub_windows; /* M */
} Params;

/* Chord error bound A h^2/8 for a pair whose larger separation is far_km (sieve.margin_km). */
static inline double margin_km(const Params *p, double far_km) {
    double accel = p->gradient_s2 * (far_km + p->crude_km) + p->residual_km_s2;
    return accel * p->step_s * p->step_s / 8.0;
}

/* Chord test (sieve._passes): closest approach of d0 + s (d1 - d0) within D + margin. */
static inline int chord_passes(const Params *p, double dd0, double dd1, double d01) {
    double delta2 = dd0 + dd1 - 2.0 * d01;
    double s = delta2 > 0.0 ? (dd0 - d01) / delta2 : 0.0;
    if (s < 0.0) s = 0.0;
    if (s > 1.0) s = 1.0;
    double sq = dd0 + 2.0 * s * (d01 - dd0) + s * s * delta2;
    if (sq < 0.0) sq = 0.0;
    double far = sqrt(dd0 > dd1 ? dd0 : dd1);
    double limit = p->distance_km + margin_km(p, far);
    return sqrt(sq) <= limit;
}

/* Half-window pre-test (sieve._half_window_passes) without the float32 allowance. */
static inline int half_window_passes(const Params *p, double dd, double ww, double dw) {
    double half = 0.5 * p->step_s;
    double tau = ww > 0.0 ? -dw / ww : 0.0;
    if (tau < -half) tau = -half;
    if (tau > half) tau = half;
    double closest2 = dd + 2.0 * tau * dw + tau * tau * ww;
    if (closest2 < 0.0) closest2 = 0.0;
    double far = sqrt(dd) + (sqrt(ww) + 2.0 * p->mismatch_km_s) * half;
    double reach = p->distance_km + 2.0 * p->mismatch_km_s * half + margin_km(p, far);
    return closest2 <= reach * reach;
}

/* ---------------------------------------------------------------- per-step cell table */

/* A usable object at the grid point: SGP4 position (km), velocity (km/s), speed. */
typedef struct {
    double x[3];
    double v[3];
    double speed;
    int64_t obj;
} State;

/* Cell coordinates are clamped to +-CELL_LIMIT (monotone and non-expansive, so neighbouring
 * cells stay neighbouring) and packed as cz | cy | cx after shifting each axis to start at 1,
 * which keeps the key of (cx + dx, cy + dy, cz + dz) equal to key + dx + dy Y + dz Z. */
#define CELL_LIMIT ((double)(1 << 19))
#define RADIX_BITS 11
#define SY 7
#define SY_PAD 4

typedef struct {
    State *state;     /* usable objects of the grid point */
    int64_t *cell;    /* (count, 3) cell coordinates in the current sub-window (slow objects) */
    uint64_t *key[2]; /* radix sort ping-pong: packed cells ... */
    int32_t *idx[2];  /* ... and state indices */
    int64_t *hist;    /* 2**RADIX_BITS + 1 */
    double *sy[SY];   /* sorted slow objects, one array per field: sub-window position (km),
                       * speed, velocity (SoA, so the pair scans read memory sequentially) */
    int32_t *fast;    /* state indices of the fast objects */
    double *block;    /* time-major copy of a block of grid points: (BLOCK, n, 6) */
    uint8_t *block_use;
} Table;

#define BLOCK 16

static int table_init(Table *tb, int64_t n) {
    memset(tb, 0, sizeof(*tb));
    size_t m = (size_t)(n > 0 ? n : 1);
    tb->state = (State *)malloc(sizeof(State) * m);
    tb->cell = (int64_t *)malloc(sizeof(int64_t) * 3 * m);
    for (int k = 0; k < 2; k++) {
        tb->key[k] = (uint64_t *)malloc(sizeof(uint64_t) * m);
        tb->idx[k] = (int32_t *)malloc(sizeof(int32_t) * m);
    }
    tb->hist = (int64_t *)malloc(sizeof(int64_t) * ((1 << RADIX_BITS) + 1));
    int sy_ok = 1;
    for (int k = 0; k < SY; k++) {
        /* SY_PAD zero entries past the end: whole SIMD loads at a range's end */
        tb->sy[k] = (double *)calloc(m + SY_PAD, sizeof(double));
        sy_ok = sy_ok && tb->sy[k];
    }
    tb->fast = (int32_t *)malloc(sizeof(int32_t) * m);
    tb->block = (double *)malloc(sizeof(double) * 6 * BLOCK * m);
    tb->block_use = (uint8_t *)malloc(BLOCK * m);
    if (!tb->state || !tb->cell || !tb->key[0] || !tb->key[1] || !tb->idx[0] || !tb->idx[1] ||
        !tb->hist || !sy_ok || !tb->fast || !tb->block || !tb->block_use)
        return -1;
    return 0;
}

static void table_free(Table *tb) {
    free(tb->state);
    free(tb->cell);
    for (int k = 0; k < 2; k++) {
        free(tb->key[k]);
        free(tb->idx[k]);
    }
    free(tb->hist);
    for (int k = 0; k < SY; k++) free(tb->sy[k]);
    free(tb->fast);
    free(tb->block);
    free(tb->block_use);
}

static inline int64_t cell_of(double y, double inv_cell) {
    double c = floor(y * inv_cell);
    if (!(c > -CELL_LIMIT)) c = -CELL_LIMIT; /* usable states are finite; NaN cannot occur */
    if (c > CELL_LIMIT) c = CELL_LIMIT;
    return (int64_t)c;
}

static inline int bits_for(uint64_t span) {
    int b = 1;
    while (((uint64_t)1 << b) <= span) b++;
    return b;
}

/* LSD radix sort of (key, idx) by the low `bits` bits of key; the result is in slot 0. */
static void radix_sort(Table *tb, int64_t count, int bits) {
    int src = 0;
    const int64_t buckets = (int64_t)1 << RADIX_BITS;
    for (int shift = 0; shift < bits; shift += RADIX_BITS) {
        int64_t *hist = tb->hist;
        memset(hist, 0, sizeof(int64_t) * (size_t)(buckets + 1));
        const uint64_t *key = tb->key[src];
        const int32_t *idx = tb->idx[src];
        uint64_t *key_out = tb->key[1 - src];
        int32_t *idx_out = tb->idx[1 - src];
        for (int64_t q = 0; q < count; q++) hist[((key[q] >> shift) & (buckets - 1)) + 1]++;
        for (int64_t b = 0; b < buckets; b++) hist[b + 1] += hist[b];
        for (int64_t q = 0; q < count; q++) {
            int64_t at = hist[(key[q] >> shift) & (buckets - 1)]++;
            key_out[at] = key[q];
            idx_out[at] = idx[q];
        }
        src = 1 - src;
    }
    if (src == 1) {
        memcpy(tb->key[0], tb->key[1], sizeof(uint64_t) * (size_t)count);
        memcpy(tb->idx[0], tb->idx[1], sizeof(int32_t) * (size_t)count);
    }
}

/* ---------------------------------------------------------------- the all-vs-all sieve */

typedef struct {
    const double *pos;     /* (N, T, 3) */
    const double *vel;     /* (N, T, 3) */
    const uint8_t *usable; /* (N, T) */
    int64_t n, t_count, first_k, sub_windows;
    Params p;
    Buf cand;    /* int64 (i, j, k) */
    Buf att_idx; /* int64 (i, j, k) */
    Buf att_sep; /* double */
    int64_t tested;
} Sieve;

/* Per grid point: the sub-window geometry (module comment). */
typedef struct {
    double half;    /* h/2 */
    double delta;   /* sub-window length h/M */
    double reach0;  /* R0: bound on the half-window reach of any pair at this grid point */
    const State *state;
    int64_t t;
} Step;

static inline double sub_tau(const Step *st, int64_t m) {
    return -st->half + ((double)m + 0.5) * st->delta;
}

/* Squared separation of a and b at sub-window time tau on their straight paths, computed in
 * exactly one way (the enumeration and the de-duplication must agree bit for bit). */
static inline double sub_dd(const State *a, const State *b, double tau) {
    double dd = 0.0;
    for (int k = 0; k < 3; k++) {
        double ya = a->x[k] + a->v[k] * tau;
        double yb = b->x[k] + b->v[k] * tau;
        double d = yb - ya;
        dd += d * d;
    }
    return dd;
}

/* The exact tests of a pair found in sub-window m (module comment). -1: out of memory. */
static int visit_pair(Sieve *s, const Step *st, const State *a, const State *b, int64_t m,
                      double dd_sub) {
    double r = st->reach0 + (a->speed + b->speed) * 0.5 * st->delta;
    if (!(dd_sub <= r * r)) return 0;
    for (int64_t e = 0; e < m; e++) /* handled in an earlier sub-window */
        if (sub_dd(a, b, sub_tau(st, e)) <= r * r) return 0;
    const Params *p = &s->p;
    int64_t t = st->t;
    double d0 = b->x[0] - a->x[0], d1 = b->x[1] - a->x[1], d2 = b->x[2] - a->x[2];
    double dd = d0 * d0 + d1 * d1 + d2 * d2;
    double w0 = b->v[0] - a->v[0], w1 = b->v[1] - a->v[1], w2 = b->v[2] - a->v[2];
    double ww = w0 * w0 + w1 * w1 + w2 * w2;
    double dw = d0 * w0 + d1 * w1 + d2 * w2;
    /* Quick reject: the straight path's closest approach beyond R0, which bounds every
     * reach of the half-window test. */
    double tau = ww > 0.0 ? -dw / ww : 0.0;
    if (tau < -st->half) tau = -st->half;
    if (tau > st->half) tau = st->half;
    if (dd + 2.0 * tau * dw + tau * tau * ww > st->reach0 * st->reach0) return 0;
    s->tested += (t > 0) + (t + 1 < s->t_count);
    int64_t lo = a->obj < b->obj ? a->obj : b->obj;
    int64_t hi = a->obj < b->obj ? b->obj : a->obj;
    if (!half_window_passes(p, dd, ww, dw)) return 0;
    for (int side = -1; side <= 1; side += 2) {
        int64_t other = t + side;
        if (other < 0 || other >= s->t_count) continue;
        if (!s->usable[a->obj * s->t_count + other] || !s->usable[b->obj * s->t_count + other])
            continue;
        const double *pa = s->pos + (a->obj * s->t_count + other) * 3;
        const double *pb = s->pos + (b->obj * s->t_count + other) * 3;
        double e0 = pb[0] - pa[0], e1 = pb[1] - pa[1], e2 = pb[2] - pa[2];
        double dd1 = e0 * e0 + e1 * e1 + e2 * e2;
        double d01 = d0 * e0 + d1 * e1 + d2 * e2;
        if (chord_passes(p, dd, dd1, d01)) {
            int64_t item[3] = {lo, hi, (other < t ? other : t) + s->first_k};
            if (buf_push(&s->cand, item, sizeof(item))) return -1;
        }
    }
    if (dd < p->attach_km * p->attach_km && ww < p->attach_speed_km_s * p->attach_speed_km_s) {
        int64_t item[3] = {lo, hi, t + s->first_k};
        double sep = sqrt(dd);
        if (buf_push(&s->att_idx, item, sizeof(item)) || buf_push(&s->att_sep, &sep, sizeof(sep)))
            return -1;
    }
    return 0;
}

#if defined(__GNUC__) && defined(__x86_64__) && defined(__linux__)
/* x86-64 Linux with GCC or clang: an AVX2 clone of the sweep, chosen at load time (the same
 * IEEE double operations on 4 lanes instead of 2; no contraction either way). */
#define SWEEP_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define SWEEP_CLONES
#endif

#if defined(__GNUC__)
/* Four pairs at a time in GCC/clang vector extensions (lowered to the target's SIMD). */
#define PATH_LANES 4
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4l __attribute__((vector_size(32)));

/* Macros rather than functions returning vectors: no vector ABI question at all. */
#define SPLAT(a) ((v4d){(a), (a), (a), (a)})
#define LOAD4(dst, p) memcpy(&(dst), (p), sizeof(v4d))
#if defined(__clang__)
#define SHUFFLE4(v, a, b, c, d) __builtin_shufflevector((v), (v), a, b, c, d)
#else
#define SHUFFLE4(v, a, b, c, d) __builtin_shuffle((v), (v4l){a, b, c, d})
#endif

/* Slow members [g0, g1) of one cell against the sorted entries [q0, q1) (all of them), or,
 * with own != 0, each member against the entries after it up to q1. A superset of
 * visit_pair's quick reject, without its division, picks the pairs for visit_pair: the
 * straight relative path over the half window, d + w s, s in [s_lo, s_hi] (seen from the
 * sub-window time), may come within R0 if an end of the window does (f(s_lo), f(s_hi),
 * computed as visit_pair computes a clamped f) or if the unconstrained minimum
 * dd - dw^2/ww (never above the clamped one) does, tested as (dd - R2s) ww <= dw^2 with
 * -dw/ww inside the window. R2s is R0^2 widened by a relative 1e-6 and 1e-6 km^2, far above
 * the rounding of either form (~1e-8 km^2 at the separations of neighbouring cells).
 * visit_pair then applies every exact test (radius, quick reject, half window, chords) from
 * the grid-point states. The sorted arrays are padded with PATH_LANES zero entries, and
 * lanes past q1 are masked off. */
static inline __attribute__((always_inline)) int cell_against(Sieve *s, const Table *tb,
                                                              const Step *st, int64_t m,
                                                              int64_t g0, int64_t g1,
                                                              int64_t q0, int64_t q1, int own) {
    double tau_m = sub_tau(st, m);
    double s_lo = -st->half - tau_m, s_hi = st->half - tau_m;
    double r2s_ = st->reach0 * st->reach0 * (1.0 + 1e-6) + 1e-6;
    const v4d two_lo = SPLAT(2.0 * s_lo), two_hi = SPLAT(2.0 * s_hi);
    const v4d lo2 = SPLAT(s_lo * s_lo), hi2 = SPLAT(s_hi * s_hi);
    const v4d vlo = SPLAT(s_lo), vhi = SPLAT(s_hi), r2s = SPLAT(r2s_);
    const v4l lane = {0, 1, 2, 3};
    const double *const *sy = (const double *const *)tb->sy;
    /* Local copies: visit_pair writes memory, which would otherwise reload them each time. */
    const double *X = sy[0], *Y = sy[1], *Z = sy[2], *VX = sy[4], *VY = sy[5], *VZ = sy[6];
    for (int64_t u = g0; u < g1; u++) {
        int64_t from = own ? u + 1 : q0;
        if (from >= q1) continue;
        const v4d x = SPLAT(X[u]), y = SPLAT(Y[u]), z = SPLAT(Z[u]);
        const v4d vx = SPLAT(VX[u]), vy = SPLAT(VY[u]), vz = SPLAT(VZ[u]);
        for (int64_t q = from; q < q1; q += PATH_LANES) {
            v4d e0, e1, e2, w0, w1, w2;
            LOAD4(e0, X + q);
            LOAD4(e1, Y + q);
            LOAD4(e2, Z + q);
            LOAD4(w0, VX + q);
            LOAD4(w1, VY + q);
            LOAD4(w2, VZ + q);
            e0 -= x;
            e1 -= y;
            e2 -= z;
            w0 -= vx;
            w1 -= vy;
            w2 -= vz;
            v4d dd = e0 * e0 + e1 * e1 + e2 * e2;
            v4d ww = w0 * w0 + w1 * w1 + w2 * w2;
            v4d dw = e0 * w0 + e1 * w1 + e2 * w2;
            v4d f_lo = dd + two_lo * dw + lo2 * ww;
            v4d f_hi = dd + two_hi * dw + hi2 * ww;
            v4l keep = (f_lo <= r2s) | (f_hi <= r2s) |
                       ((-dw >= vlo * ww) & (-dw <= vhi * ww) & ((dd - r2s) * ww <= dw * dw));
            if (q + PATH_LANES > q1) keep &= (lane + q) < q1;
            /* Any lane kept: an OR across the lanes by two swaps. */
            v4l any = keep | SHUFFLE4(keep, 2, 3, 0, 1);
            any |= SHUFFLE4(any, 1, 0, 3, 2);
            if (!any[0]) continue;
            for (int k = 0; k < PATH_LANES; k++) {
                if (!keep[k]) continue;
                int64_t b = q + k;
                double d0 = X[b] - X[u], d1 = Y[b] - Y[u], d2 = Z[b] - Z[u];
                double dd_sub = d0 * d0 + d1 * d1 + d2 * d2;
                const State *su = &st->state[tb->idx[0][u]], *sb = &st->state[tb->idx[0][b]];
                if (visit_pair(s, st, su, sb, m, dd_sub)) return -1;
            }
        }
    }
    return 0;
}
#else
#define PATH_LANES 1
/* The same selection one pair at a time (compilers without GCC vector extensions). */
static inline int cell_against(Sieve *s, const Table *tb, const Step *st, int64_t m,
                               int64_t g0, int64_t g1, int64_t q0, int64_t q1, int own) {
    double tau_m = sub_tau(st, m);
    double s_lo = -st->half - tau_m, s_hi = st->half - tau_m;
    double r2s = st->reach0 * st->reach0 * (1.0 + 1e-6) + 1e-6;
    const double *const *sy = (const double *const *)tb->sy;
    for (int64_t u = g0; u < g1; u++) {
        for (int64_t b = own ? u + 1 : q0; b < q1; b++) {
            double e0 = sy[0][b] - sy[0][u], e1 = sy[1][b] - sy[1][u], e2 = sy[2][b] - sy[2][u];
            double w0 = sy[4][b] - sy[4][u], w1 = sy[5][b] - sy[5][u], w2 = sy[6][b] - sy[6][u];
            double dd = e0 * e0 + e1 * e1 + e2 * e2;
            double ww = w0 * w0 + w1 * w1 + w2 * w2;
            double dw = e0 * w0 + e1 * w1 + e2 * w2;
            double f_lo = dd + 2.0 * s_lo * dw + s_lo * s_lo * ww;
            double f_hi = dd + 2.0 * s_hi * dw + s_hi * s_hi * ww;
            int keep = (f_lo <= r2s) | (f_hi <= r2s) |
                       ((-dw >= s_lo * ww) & (-dw <= s_hi * ww) & ((dd - r2s) * ww <= dw * dw));
            if (!keep) continue;
            const State *su = &st->state[tb->idx[0][u]], *sb = &st->state[tb->idx[0][b]];
            if (visit_pair(s, st, su, sb, m, dd)) return -1;
        }
    }
    return 0;
}
#endif

/* Last sorted position (exclusive) with key <= want, searching forward from `from`. */
static inline int64_t advance_past(const uint64_t *key, int64_t count, int64_t from,
                                   uint64_t want) {
    while (from < count && key[from] <= want) from++;
    return from;
}

/* First sorted position with key >= want, searching forward from `from`. */
static inline int64_t advance(const uint64_t *key, int64_t count, int64_t from, uint64_t want) {
    while (from < count && key[from] < want) from++;
    return from;
}

/* Lower bound of `want` in the sorted keys (binary search). */
static inline int64_t lower_bound(const uint64_t *key, int64_t count, uint64_t want) {
    int64_t lo = 0, hi = count;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (key[mid] < want) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* Cell range [lo, hi] along one axis that holds every point within `reach` of y (rounding
 * slack of a millionth of a cell on each side), within the occupied [c_lo, c_hi]. */
static inline void axis_range(double y, double reach, double inv_cell, int64_t c_lo,
                              int64_t c_hi, int64_t *lo, int64_t *hi) {
    double fa = floor((y - reach) * inv_cell - 1e-6);
    double fb = floor((y + reach) * inv_cell + 1e-6);
    /* cell_of's clamp, monotone: a clamped cell stays inside the clamped range. */
    fa = fa < -CELL_LIMIT ? -CELL_LIMIT : (fa > CELL_LIMIT ? CELL_LIMIT : fa);
    fb = fb < -CELL_LIMIT ? -CELL_LIMIT : (fb > CELL_LIMIT ? CELL_LIMIT : fb);
    int64_t l = fa < (double)c_lo ? c_lo : (fa > (double)c_hi ? c_hi + 1 : (int64_t)fa);
    int64_t h = fb > (double)c_hi ? c_hi : (fb < (double)c_lo ? c_lo - 1 : (int64_t)fb);
    *lo = l;
    *hi = h;
}

/* Sort the slow states at sub-window time tau by cell and visit every pair of neighbours by
 * a sweep over the sorted cell keys; then each fast object against the slow ones in the
 * cells within its reach, and the fast objects among themselves (module comment). */
SWEEP_CLONES
static int sub_window(Sieve *s, Table *tb, const Step *st, int64_t count, int64_t m,
                      double v_max) {
    const Params *p = &s->p;
    double tau = sub_tau(st, m);
    /* Slack: a pair within one cell side must land in neighbouring cells despite rounding. */
    double cell = (st->reach0 + p->slow_speed_km_s * st->delta) * (1.0 + 1e-9);
    double inv_cell = 1.0 / cell;
    const State *state = st->state;
    int64_t lo[3] = {INT64_MAX, INT64_MAX, INT64_MAX}, hi[3] = {INT64_MIN, INT64_MIN, INT64_MIN};
    int64_t n_slow = 0, n_fast = 0;
    for (int64_t q = 0; q < count; q++) {
        const State *e = &state[q];
        if (e->speed > p->slow_speed_km_s) {
            tb->fast[n_fast++] = (int32_t)q;
            continue;
        }
        for (int k = 0; k < 3; k++) {
            int64_t c = cell_of(e->x[k] + e->v[k] * tau, inv_cell);
            tb->cell[3 * n_slow + k] = c;
            if (c < lo[k]) lo[k] = c;
            if (c > hi[k]) hi[k] = c;
        }
        tb->idx[0][n_slow++] = (int32_t)q;
    }
    double half_delta = 0.5 * st->delta;
    const uint64_t *key = tb->key[0];
    uint64_t Y = 1, Z = 1;
    if (n_slow > 0) {
        /* Each axis shifted to start at 1 with one spare cell above: neighbour keys never
         * borrow or carry across fields. */
        int bx = bits_for((uint64_t)(hi[0] - lo[0] + 2));
        int by = bits_for((uint64_t)(hi[1] - lo[1] + 2));
        int bz = bits_for((uint64_t)(hi[2] - lo[2] + 2));
        Y = (uint64_t)1 << bx;
        Z = (uint64_t)1 << (bx + by);
        for (int64_t q = 0; q < n_slow; q++) {
            const int64_t *c = &tb->cell[3 * q];
            tb->key[0][q] = (uint64_t)(c[0] - lo[0] + 1) | ((uint64_t)(c[1] - lo[1] + 1) * Y) |
                            ((uint64_t)(c[2] - lo[2] + 1) * Z);
        }
        radix_sort(tb, n_slow, bx + by + bz);
        for (int64_t q = 0; q < n_slow; q++) {
            const State *e = &state[tb->idx[0][q]];
            for (int k = 0; k < 3; k++) tb->sy[k][q] = e->x[k] + e->v[k] * tau;
            tb->sy[3][q] = e->speed;
            for (int k = 0; k < 3; k++) tb->sy[4 + k][q] = e->v[k];
        }
    }

    /* Forward neighbours of a cell K: K+1; the row K+Y-1 .. K+Y+1; and the three rows
     * K+Z+dy·Y-1 .. K+Z+dy·Y+1, dy = -1, 0, 1. Their starts only move forward with K. */
    int64_t ptr[4] = {0, 0, 0, 0}, end[4] = {0, 0, 0, 0};
    const uint64_t row_off[4] = {Y, Z - Y, Z, Z + Y};
    for (int64_t g0 = 0; g0 < n_slow;) {
        uint64_t k0 = key[g0];
        int64_t g1 = advance_past(key, n_slow, g0 + 1, k0);
        /* Own cell and the next one along x, which follows it in the sorted list. */
        int64_t q_end = advance_past(key, n_slow, g1, k0 + 1);
        if (cell_against(s, tb, st, m, g0, g1, 0, q_end, 1)) return -1;
        for (int r = 0; r < 4; r++) {
            uint64_t first = k0 + row_off[r] - 1, last = k0 + row_off[r] + 1;
            ptr[r] = advance(key, n_slow, ptr[r], first);
            if (end[r] < ptr[r]) end[r] = ptr[r];
            end[r] = advance_past(key, n_slow, end[r], last);
            if (end[r] > ptr[r] && cell_against(s, tb, st, m, g0, g1, ptr[r], end[r], 0))
                return -1;
        }
        g0 = g1;
    }

    /* Fast objects: the slow ones in every cell within reach (per axis), then each other. */
    for (int64_t f = 0; f < n_fast; f++) {
        const State *su = &state[tb->fast[f]];
        if (n_slow > 0) {
            double reach =
                (st->reach0 + (su->speed + p->slow_speed_km_s) * half_delta) * (1.0 + 1e-9);
            int64_t rlo[3], rhi[3];
            for (int k = 0; k < 3; k++)
                axis_range(su->x[k] + su->v[k] * tau, reach, inv_cell, lo[k], hi[k], &rlo[k],
                           &rhi[k]);
            for (int64_t cz = rlo[2]; cz <= rhi[2]; cz++) {
                for (int64_t cy = rlo[1]; cy <= rhi[1]; cy++) {
                    if (rlo[0] > rhi[0]) continue;
                    uint64_t row = ((uint64_t)(cy - lo[1] + 1) * Y) | ((uint64_t)(cz - lo[2] + 1) * Z);
                    uint64_t first = row | (uint64_t)(rlo[0] - lo[0] + 1);
                    uint64_t last = row | (uint64_t)(rhi[0] - lo[0] + 1);
                    for (int64_t qb = lower_bound(key, n_slow, first); qb < n_slow && key[qb] <= last;
                         qb++) {
                        const State *sb = &state[tb->idx[0][qb]];
                        if (visit_pair(s, st, su, sb, m, sub_dd(su, sb, tau))) return -1;
                    }
                }
            }
        }
        for (int64_t g = f + 1; g < n_fast; g++) {
            const State *sb = &state[tb->fast[g]];
            if (visit_pair(s, st, su, sb, m, sub_dd(su, sb, tau))) return -1;
        }
    }
    return 0;
}

/* Copy grid points t0 .. t0+BLOCK-1 time-major (sequential reads of the (N, T, 3) arrays). */
static void fill_block(const Sieve *s, Table *tb, int64_t t0) {
    int64_t tn = s->t_count - t0 < BLOCK ? s->t_count - t0 : BLOCK;
    for (int64_t i = 0; i < s->n; i++) {
        const double *x = s->pos + (i * s->t_count + t0) * 3;
        const double *v = s->vel + (i * s->t_count + t0) * 3;
        const uint8_t *u = s->usable + i * s->t_count + t0;
        for (int64_t dt = 0; dt < tn; dt++) {
            double *out = tb->block + (dt * s->n + i) * 6;
            out[0] = x[3 * dt];
            out[1] = x[3 * dt + 1];
            out[2] = x[3 * dt + 2];
            out[3] = v[3 * dt];
            out[4] = v[3 * dt + 1];
            out[5] = v[3 * dt + 2];
            tb->block_use[dt * s->n + i] = u[dt];
        }
    }
}

static int sieve_step(Sieve *s, Table *tb, int64_t t) {
    const Params *p = &s->p;
    int64_t row = t % BLOCK;
    if (row == 0) fill_block(s, tb, t);
    const double *states = tb->block + row * s->n * 6;
    const uint8_t *use = tb->block_use + row * s->n;
    int64_t count = 0;
    double v_max = 0.0;
    for (int64_t i = 0; i < s->n; i++) {
        if (!use[i]) continue;
        State *e = &tb->state[count++];
        const double *xv = states + i * 6;
        for (int k = 0; k < 3; k++) {
            e->x[k] = xv[k];
            e->v[k] = xv[3 + k];
        }
        e->speed = sqrt(e->v[0] * e->v[0] + e->v[1] * e->v[1] + e->v[2] * e->v[2]);
        if (e->speed > v_max) v_max = e->speed;
        e->obj = i;
    }
    if (count < 2) return 0;
    Step st;
    st.half = 0.5 * p->step_s;
    st.delta = p->step_s / (double)s->sub_windows;
    st.state = tb->state;
    st.t = t;
    /* R0 (module comment): reach = K + g·far with far <= reach + (2|w| + 2δv) h/2 and
     * |w| <= 2 v_max, solved for reach (g = G h²/8 < 1 for h < 1500 s). */
    double g = p->gradient_s2 * p->step_s * p->step_s / 8.0;
    double k0 = p->distance_km + 2.0 * p->mismatch_km_s * st.half + margin_km(p, 0.0);
    st.reach0 = (k0 + g * (4.0 * v_max + 2.0 * p->mismatch_km_s) * st.half) / (1.0 - g);
    /* Rounding: of the bound itself, and of separations taken at a sub-window time. */
    st.reach0 = st.reach0 * (1.0 + 1e-9) + 1e-9;
    for (int64_t m = 0; m < s->sub_windows; m++)
        if (sub_window(s, tb, &st, count, m, v_max)) return -1;
    return 0;
}

/* ---------------------------------------------------------------- Python glue */

/* Take C-contiguous buffers of count items each, of the given struct formats ("d": float64;
 * "?B": one-byte flags), all or none: on failure every buffer taken is released. */
static int take_buffers(int k, PyObject *const *objs, Py_buffer *views, const char *const *formats,
                        const Py_ssize_t *itemsize, const long long *count,
                        const char *const *names) {
    for (int b = 0; b < k; b++) {
        int ok = 0;
        if (count[b] >= 0 && count[b] <= PY_SSIZE_T_MAX / itemsize[b] &&
            PyObject_GetBuffer(objs[b], &views[b], PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) == 0) {
            const char *f = views[b].format ? views[b].format : "B";
            if (*f == '@' || *f == '=' || (*f == '<' && PY_LITTLE_ENDIAN) ||
                (*f == '>' && !PY_LITTLE_ENDIAN))
                f++;
            ok = views[b].itemsize == itemsize[b] && f[0] != 0 && f[1] == 0 &&
                 strchr(formats[b], f[0]) != NULL && views[b].len == itemsize[b] * count[b];
            if (!ok) {
                PyErr_Format(PyExc_ValueError,
                             "%s: expected %lld C-contiguous items of format '%s' (%zd bytes), "
                             "got %zd bytes of format '%s'",
                             names[b], count[b], formats[b], itemsize[b], views[b].len,
                             views[b].format ? views[b].format : "B");
                PyBuffer_Release(&views[b]);
            }
        } else if (!PyErr_Occurred()) {
            PyErr_Format(PyExc_ValueError, "%s: %lld items is too many", names[b], count[b]);
        }
        if (!ok) {
            while (b-- > 0) PyBuffer_Release(&views[b]);
            return -1;
        }
    }
    return 0;
}

/* n objects x t_count grid points of 3-vectors fit in memory sizes without overflow. */
static int check_shape(long long n, long long t_count) {
    if (n < 0 || t_count < 0 || n > INT32_MAX ||
        (n > 0 && t_count > (long long)(PY_SSIZE_T_MAX / 24 / n)) ||
        (unsigned long long)n > SIZE_MAX / (sizeof(double) * 6 * 16 + sizeof(State) + 64)) {
        PyErr_SetString(PyExc_ValueError,
                        "need 0 <= n < 2**31 objects and n x t_count x 3 doubles addressable");
        return -1;
    }
    return 0;
}

static int parse_params(PyObject *seq, Params *p) {
    double v[10];
    PyObject *fast = PySequence_Fast(seq, "params must be a sequence of 10 floats");
    if (!fast) return -1;
    if (PySequence_Fast_GET_SIZE(fast) != 10) {
        Py_DECREF(fast);
        PyErr_SetString(PyExc_ValueError, "params must be a sequence of 10 floats");
        return -1;
    }
    for (int k = 0; k < 10; k++) {
        v[k] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(fast, k));
        if (v[k] == -1.0 && PyErr_Occurred()) {
            Py_DECREF(fast);
            return -1;
        }
        if (!isfinite(v[k])) {
            Py_DECREF(fast);
            PyErr_Format(PyExc_ValueError, "params[%d] is not finite", k);
            return -1;
        }
    }
    Py_DECREF(fast);
    p->step_s = v[0];
    p->distance_km = v[1];
    p->crude_km = v[2];
    p->gradient_s2 = v[3];
    p->residual_km_s2 = v[4];
    p->mismatch_km_s = v[5];
    p->attach_km = v[6];
    p->attach_speed_km_s = v[7];
    p->slow_speed_km_s = v[8];
    p->sub_windows = v[9];
    return 0;
}

PyDoc_STRVAR(sieve_all_doc,
             "sieve_all(position, velocity, usable, n, t_count, first_k, params)\n"
             "-> (candidates, attached, attached_sep, tested)\n\n"
             "position, velocity: float64 buffers (n, t_count, 3); usable: uint8/bool (n, "
             "t_count).\nparams: (step_s, distance_km, crude_km, gradient_s2, residual_km_s2, "
             "mismatch_km_s,\nattach_km, attach_speed_km_s, slow_speed_km_s, sub_windows). Returns bytes of "
             "int64 (i, j, k)\ntriples, int64 (i, j, k) triples and float64 separations (km) of "
             "co-orbiting\nsamples, and the number of (pair, adjacent interval) tests.");

static PyObject *py_sieve_all(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *pos_obj, *vel_obj, *use_obj, *params_obj;
    long long n, t_count, first_k;
    if (!PyArg_ParseTuple(args, "OOOLLLO", &pos_obj, &vel_obj, &use_obj, &n, &t_count,
                          &first_k, &params_obj))
        return NULL;
    if (check_shape(n, t_count)) return NULL;
    Sieve s;
    memset(&s, 0, sizeof(s));
    if (parse_params(params_obj, &s.p)) return NULL;
    const Params *p = &s.p;
    double g = p->gradient_s2 * p->step_s * p->step_s / 8.0;
    if (!(p->step_s > 0.0) || !(p->distance_km >= 0.0) || !(p->crude_km >= 0.0) ||
        !(p->gradient_s2 >= 0.0) || !(g < 0.5) || !(p->residual_km_s2 >= 0.0) ||
        !(p->mismatch_km_s >= 0.0) || !(p->slow_speed_km_s > 0.0) ||
        !(p->sub_windows >= 1.0 && p->sub_windows <= 64.0) ||
        p->sub_windows != floor(p->sub_windows)) {
        PyErr_SetString(PyExc_ValueError,
                        "need step_s > 0 with gradient_s2 step_s**2 / 8 < 0.5, "
                        "distance, margins, speeds >= 0 and an integer 1 <= sub_windows <= 64");
        return NULL;
    }
    Py_buffer views[3];
    PyObject *objs[3] = {pos_obj, vel_obj, use_obj};
    const char *formats[3] = {"d", "d", "?Bb"};
    const Py_ssize_t sizes[3] = {8, 8, 1};
    const long long counts[3] = {n * t_count * 3, n * t_count * 3, n * t_count};
    const char *names[3] = {"position", "velocity", "usable"};
    if (take_buffers(3, objs, views, formats, sizes, counts, names)) return NULL;
    Py_buffer *pos = &views[0], *vel = &views[1], *use = &views[2];
    s.pos = (const double *)pos->buf;
    s.vel = (const double *)vel->buf;
    s.usable = (const uint8_t *)use->buf;
    s.n = n;
    s.t_count = t_count;
    s.first_k = first_k;
    s.sub_windows = (int64_t)s.p.sub_windows;
    Table tb;
    int failed = table_init(&tb, n);
    Py_BEGIN_ALLOW_THREADS
    for (int64_t t = 0; t < t_count && !failed; t++) failed = sieve_step(&s, &tb, t);
    Py_END_ALLOW_THREADS
    table_free(&tb);
    for (int b = 0; b < 3; b++) PyBuffer_Release(&views[b]);
    PyObject *result = NULL;
    if (failed) {
        PyErr_NoMemory();
    } else {
        PyObject *c = buf_bytes(&s.cand), *ai = buf_bytes(&s.att_idx), *as = buf_bytes(&s.att_sep);
        if (c && ai && as) result = Py_BuildValue("(OOOL)", c, ai, as, (long long)s.tested);
        Py_XDECREF(c);
        Py_XDECREF(ai);
        Py_XDECREF(as);
    }
    free(s.cand.data);
    free(s.att_idx.data);
    free(s.att_sep.data);
    return result;
}

PyDoc_STRVAR(plausible_doc,
             "plausible_states(position, velocity, error_code, n, t_count, step_s, mu, "
             "max_jerk, mismatch)\n-> bytes of uint8 (n, t_count) reason codes\n\n"
             "The checks of sieve.plausible_states in one pass: SGP4 error code, unbound state "
             "(v^2 r >= 2 mu: at or above escape speed),\nand the trapezoid residual of either neighbouring "
             "interval above h^3/12 max_jerk + h mismatch.");

static PyObject *py_plausible(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *pos_obj, *vel_obj, *err_obj;
    long long n, t_count;
    double h, mu, jerk, mismatch;
    if (!PyArg_ParseTuple(args, "OOOLLdddd", &pos_obj, &vel_obj, &err_obj, &n, &t_count, &h,
                          &mu, &jerk, &mismatch))
        return NULL;
    if (check_shape(n, t_count)) return NULL;
    if (!(h > 0.0 && isfinite(h)) || !isfinite(mu) || !isfinite(jerk) || !isfinite(mismatch)) {
        PyErr_SetString(PyExc_ValueError, "need a finite step_s > 0 and finite constants");
        return NULL;
    }
    Py_buffer views[3];
    PyObject *objs[3] = {pos_obj, vel_obj, err_obj};
    const char *formats[3] = {"d", "d", "B"};
    const Py_ssize_t sizes[3] = {8, 8, 1};
    const long long counts[3] = {n * t_count * 3, n * t_count * 3, n * t_count};
    const char *names[3] = {"position", "velocity", "error_code"};
    if (take_buffers(3, objs, views, formats, sizes, counts, names)) return NULL;
    PyObject *out = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)(n * t_count));
    uint8_t *bad = (uint8_t *)malloc((size_t)(t_count > 0 ? t_count : 1));
    if (!out || !bad) {
        Py_XDECREF(out);
        free(bad);
        for (int b = 0; b < 3; b++) PyBuffer_Release(&views[b]);
        return PyErr_NoMemory();
    }
    uint8_t *reason = (uint8_t *)PyBytes_AS_STRING(out);
    const double *p = (const double *)views[0].buf, *v = (const double *)views[1].buf;
    const uint8_t *code = (const uint8_t *)views[2].buf;
    double two_mu2 = (2.0 * mu) * (2.0 * mu);
    double limit = h * h * h / 12.0 * jerk + h * mismatch;
    double limit2 = limit * limit;
    Py_BEGIN_ALLOW_THREADS
    for (int64_t i = 0; i < n; i++) {
        const double *pi = p + i * t_count * 3, *vi = v + i * t_count * 3;
        uint8_t *ri = reason + i * t_count;
        for (int64_t t = 0; t < t_count; t++) {
            const double *x = pi + 3 * t, *u = vi + 3 * t;
            uint8_t c = code[i * t_count + t];
            if (c == 0) {
                double r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2];
                double v2 = u[0] * u[0] + u[1] * u[1] + u[2] * u[2];
                if (!(v2 * v2 * r2 < two_mu2)) c = 7; /* REASON_UNBOUND: v^4 r^2 >= 4 mu^2 */
            }
            ri[t] = c;
        }
        for (int64_t t = 0; t + 1 < t_count; t++) {
            double ss = 0.0;
            for (int k = 0; k < 3; k++) {
                /* p1 - p0 - h (v0 + v1)/2, in the order of the NumPy version */
                double e = (vi[3 * (t + 1) + k] + vi[3 * t + k]) * (-0.5 * h);
                e += pi[3 * (t + 1) + k];
                e -= pi[3 * t + k];
                ss += e * e;
            }
            bad[t] = !(ss <= limit2);
        }
        for (int64_t t = 0; t < t_count; t++) {
            if (ri[t] != 0) continue;
            if ((t > 0 && bad[t - 1]) || (t + 1 < t_count && bad[t])) ri[t] = 8; /* INCONSISTENT */
        }
    }
    Py_END_ALLOW_THREADS
    free(bad);
    for (int b = 0; b < 3; b++) PyBuffer_Release(&views[b]);
    return out;
}

PyDoc_STRVAR(sieve_primaries_doc,
             "sieve_primaries(position, velocity, usable, primaries, n, t_count, first_k, params)\n"
             "-> (candidates, attached, attached_sep, tested)\n\n"
             "The one-vs-many sieve of sieve.sieve_primaries: each primary (int64 local "
             "indices, in order;\na primary is not paired with itself or earlier primaries) "
             "against every object on every\ninterval whose two ends are usable for both: the "
             "chord test, and co-orbiting samples\n(closer than attach_km, slower than "
             "attach_speed_km_s). Buffers and params as sieve_all;\ncandidates and attached in "
             "the order of the NumPy version (primary, object, time).");

static PyObject *py_sieve_primaries(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *pos_obj, *vel_obj, *use_obj, *prim_obj, *params_obj;
    long long n, t_count, first_k, n_prim;
    if (!PyArg_ParseTuple(args, "OOOOLLLLO", &pos_obj, &vel_obj, &use_obj, &prim_obj, &n,
                          &t_count, &first_k, &n_prim, &params_obj))
        return NULL;
    if (check_shape(n, t_count)) return NULL;
    if (n_prim < 0 || n_prim > n) {
        PyErr_SetString(PyExc_ValueError, "need 0 <= number of primaries <= n");
        return NULL;
    }
    Params p;
    if (parse_params(params_obj, &p)) return NULL;
    Py_buffer views[4];
    PyObject *objs[4] = {pos_obj, vel_obj, use_obj, prim_obj};
    const char *formats[4] = {"d", "d", "?Bb", "qlL"};
    const Py_ssize_t sizes[4] = {8, 8, 1, 8};
    const long long counts[4] = {n * t_count * 3, n * t_count * 3, n * t_count, n_prim};
    const char *names[4] = {"position", "velocity", "usable", "primaries"};
    if (take_buffers(4, objs, views, formats, sizes, counts, names)) return NULL;
    const double *pos = (const double *)views[0].buf, *vel = (const double *)views[1].buf;
    const uint8_t *use = (const uint8_t *)views[2].buf;
    const int64_t *prim = (const int64_t *)views[3].buf;
    for (long long q = 0; q < n_prim; q++) {
        if (prim[q] < 0 || prim[q] >= n) {
            for (int b = 0; b < 4; b++) PyBuffer_Release(&views[b]);
            PyErr_SetString(PyExc_ValueError, "primaries: index outside 0 .. n-1");
            return NULL;
        }
    }
    Buf cand = {0}, att_idx = {0}, att_sep = {0};
    long long tested = 0;
    int failed = 0;
    uint8_t *skip = (uint8_t *)calloc((size_t)(n > 0 ? n : 1), 1);
    if (!skip) failed = 1;
    double attach2 = p.attach_km * p.attach_km;
    double slow2 = p.attach_speed_km_s * p.attach_speed_km_s;
    Py_BEGIN_ALLOW_THREADS
    for (long long q = 0; q < n_prim && !failed; q++) {
        int64_t pi = prim[q];
        skip[pi] = 1; /* itself, and pairs of primaries already screened */
        const double *pp = pos + pi * t_count * 3, *pv = vel + pi * t_count * 3;
        const uint8_t *pu = use + pi * t_count;
        for (int64_t j = 0; j < n && !failed; j++) {
            if (skip[j]) continue;
            const double *jp = pos + j * t_count * 3, *jv = vel + j * t_count * 3;
            const uint8_t *ju = use + j * t_count;
            double d_prev[3] = {0.0, 0.0, 0.0}, dd_prev = 0.0;
            int both_prev = 0;
            for (int64_t t = 0; t < t_count && !failed; t++) {
                double d[3];
                for (int k = 0; k < 3; k++) d[k] = jp[3 * t + k] - pp[3 * t + k];
                double dd = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
                int both = ju[t] && pu[t];
                if (t > 0 && both_prev && both) {
                    tested++;
                    double d01 = d_prev[0] * d[0] + d_prev[1] * d[1] + d_prev[2] * d[2];
                    if (chord_passes(&p, dd_prev, dd, d01)) {
                        int64_t rec[3] = {pi, j, t - 1 + first_k};
                        if (buf_push(&cand, rec, sizeof(rec))) failed = 1;
                    }
                }
                if (both && dd < attach2) {
                    double w[3];
                    for (int k = 0; k < 3; k++) w[k] = jv[3 * t + k] - pv[3 * t + k];
                    if (w[0] * w[0] + w[1] * w[1] + w[2] * w[2] < slow2) {
                        int64_t rec[3] = {pi, j, t + first_k};
                        double sep = sqrt(dd);
                        if (buf_push(&att_idx, rec, sizeof(rec)) ||
                            buf_push(&att_sep, &sep, sizeof(sep)))
                            failed = 1;
                    }
                }
                d_prev[0] = d[0];
                d_prev[1] = d[1];
                d_prev[2] = d[2];
                dd_prev = dd;
                both_prev = both;
            }
        }
    }
    Py_END_ALLOW_THREADS
    free(skip);
    for (int b = 0; b < 4; b++) PyBuffer_Release(&views[b]);
    PyObject *result = NULL;
    if (failed) {
        PyErr_NoMemory();
    } else {
        PyObject *c = buf_bytes(&cand), *ai = buf_bytes(&att_idx), *as = buf_bytes(&att_sep);
        if (c && ai && as) result = Py_BuildValue("(OOOL)", c, ai, as, tested);
        Py_XDECREF(c);
        Py_XDECREF(ai);
        Py_XDECREF(as);
    }
    free(cand.data);
    free(att_idx.data);
    free(att_sep.data);
    return result;
}

static PyMethodDef methods[] = {
    {"sieve_all", py_sieve_all, METH_VARARGS, sieve_all_doc},
    {"plausible_states", py_plausible, METH_VARARGS, plausible_doc},
    {"sieve_primaries", py_sieve_primaries, METH_VARARGS, sieve_primaries_doc},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_sievec",
    "Compiled all-vs-all sieve kernel (see stationplan.screening.sieve).", -1, methods,
};

PyMODINIT_FUNC PyInit__sievec(void) { return PyModule_Create(&module); }
