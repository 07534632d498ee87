/* exp and pow bit-identical to glibc's scalar exp() and pow(), four lanes at a time with AVX2+FMA
 * where that is provably safe. ht_neuron's right-hand side needs 12 exp and 2 pow per evaluation
 * and must match NEST (scalar libm) bit for bit, so no faster-but-different approximation is
 * allowed: these kernels replay libm's own operation sequence in vector lanes (ht_vexp.c). */
#ifndef DENEST_MODELS_HT_VEXP_H
#define DENEST_MODELS_HT_VEXP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when the vector kernels may be used: x86-64, the CPU has AVX2 and FMA (so glibc runs its
 * FMA variants of exp/pow), libm's coefficient tables were found in the loaded libm and
 * validated, and a self-check of a few thousand arguments per function matched libm bit for
 * bit. Decided once, thread-safely, at the first call; afterwards one load. */
bool dn_ht_vmath_ready(void);

/* dn_ht_vmath_ready() and not switched off by dn_ht_vmath_enable(false). */
bool dn_ht_vmath_use(void);

/* Switch the vector path off (false) or back on where available (true); returns the previous
 * setting. For tests and benchmarks that compare both paths; call it while no simulation runs. */
bool dn_ht_vmath_enable(bool on);

/* y[i] = exp(x[i]) for i < n (y may equal x). Bit-identical to libm's exp whatever the path. */
void dn_ht_vexp(const double *x, double *y, size_t n);

/* z[i] = pow(x[i], y[i]) for i < n (z may equal x or y). Bit-identical to libm's pow. */
void dn_ht_vpow(const double *x, const double *y, double *z, size_t n);

/* ---- the 4-lane kernels, for code compiled for AVX2+FMA (DN_HT_AVX2 functions) ------------ */

#if defined(__x86_64__) && defined(__GNUC__) && defined(__linux__)
#define DN_HT_VEXP_X86 1
#include <immintrin.h>
#include <math.h>

#ifdef __clang__
/* Code calling these kernels must not contract a*b + c into an FMA (libm and NEST round twice):
 * clang would in AVX2+FMA functions; GCC's ISO mode (-std=c17) never does. */
#pragma STDC FP_CONTRACT OFF
#endif

/* What a function must be compiled with to call the kernels. */
#define DN_HT_AVX2 __attribute__((target("avx2,fma")))

/* libm's data as found at dn_ht_vmath_ready() (valid only when it returned true). */
typedef struct dn_ht_vexp_tables {
    /* exp: k = round(x·128/ln2), r = x − k·ln2/128 (two parts), 2^(k/128) = scale·(1 + tail);
     * per k mod 128 the pair {tail, bits of scale − k·2^45}. */
    _Alignas(32) uint64_t exp_tab[2 * 128];
    /* pow's log: x = 2^k·z, log z = log c + log1p(z/c − 1), c near the centre of the interval
     * i of z; per i {1/c, unused, log c, log c tail}. */
    _Alignas(32) double log_tab[4 * 128];
    double invln2N, negln2hiN, negln2loN, C2, C3, C4, C5, shift;
    double ln2hi, ln2lo, A[7];
} dn_ht_vexp_tables;

extern dn_ht_vexp_tables dn_ht_vexp_tab;

#define DN_HT_VINL __attribute__((always_inline)) static inline

/* Lanes where libm's exp main path applies to x: 2^-54 <= |x| < 512 (exponent field in
 * [0x3c9, 0x407]); libm treats the others as special cases, so scalar libm takes them. */
DN_HT_AVX2 DN_HT_VINL __m256i dn_ht_vexp_lanes_ok(__m256d x)
{
    const __m256i top =
        _mm256_and_si256(_mm256_srli_epi64(_mm256_castpd_si256(x), 52), _mm256_set1_epi64x(0x7ff));
    const __m256i t = _mm256_sub_epi64(top, _mm256_set1_epi64x(0x3c9));
    return _mm256_and_si256(_mm256_cmpgt_epi64(t, _mm256_set1_epi64x(-1)),
                            _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x3f), t));
}

/* libm's exp core, exp(x + xtail) for lanes in range (xtail only `with_tail`, as in pow). Each
 * statement is one instruction of libm's FMA build, in its order; table rows are loaded lane by
 * lane (AVX2 gathers are slow on the CPUs we run on). */
DN_HT_AVX2 DN_HT_VINL __m256d dn_ht_vexp_core(__m256d x, __m256d xtail, bool with_tail)
{
    const dn_ht_vexp_tables *T = &dn_ht_vexp_tab;
    const __m256d shift = _mm256_set1_pd(T->shift);
    const __m256d kd_s = _mm256_fmadd_pd(x, _mm256_set1_pd(T->invln2N), shift);
    const __m256i ki = _mm256_castpd_si256(kd_s);
    const __m256d kd = _mm256_sub_pd(kd_s, shift);
    __m256d r = _mm256_fmadd_pd(kd, _mm256_set1_pd(T->negln2hiN), x);
    r = _mm256_fmadd_pd(kd, _mm256_set1_pd(T->negln2loN), r);
    if (with_tail)
        r = _mm256_add_pd(xtail, r);
    _Alignas(32) uint64_t idx[4];
    _mm256_store_si256((__m256i *)idx, _mm256_and_si256(ki, _mm256_set1_epi64x(127)));
    const __m256d row02 = _mm256_set_m128d(_mm_load_pd((const double *)&T->exp_tab[2 * idx[2]]),
                                           _mm_load_pd((const double *)&T->exp_tab[2 * idx[0]]));
    const __m256d row13 = _mm256_set_m128d(_mm_load_pd((const double *)&T->exp_tab[2 * idx[3]]),
                                           _mm_load_pd((const double *)&T->exp_tab[2 * idx[1]]));
    const __m256d tail = _mm256_unpacklo_pd(row02, row13);
    const __m256i sbits = _mm256_add_epi64(_mm256_castpd_si256(_mm256_unpackhi_pd(row02, row13)),
                                           _mm256_slli_epi64(ki, 45));
    const __m256d p23 = _mm256_fmadd_pd(r, _mm256_set1_pd(T->C3), _mm256_set1_pd(T->C2));
    const __m256d tr = _mm256_add_pd(tail, r);
    const __m256d r2 = _mm256_mul_pd(r, r);
    const __m256d p45 = _mm256_fmadd_pd(r, _mm256_set1_pd(T->C5), _mm256_set1_pd(T->C4));
    __m256d tmp = _mm256_fmadd_pd(p23, r2, tr);
    const __m256d r4 = _mm256_mul_pd(r2, r2);
    tmp = _mm256_fmadd_pd(r4, p45, tmp);
    const __m256d scale = _mm256_castsi256_pd(sbits);
    return _mm256_fmadd_pd(scale, tmp, scale);
}

/* exp of 4 lanes, bit-identical to libm's exp (lanes outside the main path call it). */
DN_HT_AVX2 DN_HT_VINL __m256d dn_ht_vexp4(__m256d x)
{
    __m256d v = dn_ht_vexp_core(x, x, false);
    int bad = 0xf & ~_mm256_movemask_pd(_mm256_castsi256_pd(dn_ht_vexp_lanes_ok(x)));
    if (__builtin_expect(bad != 0, 0)) {
        double xs[4], ys[4];
        _mm256_storeu_pd(xs, x);
        _mm256_storeu_pd(ys, v);
        for (int l = 0; l < 4; l++)
            if (bad & (1 << l))
                ys[l] = exp(xs[l]);
        v = _mm256_loadu_pd(ys);
    }
    return v;
}

/* pow of 4 lanes, bit-identical to libm's pow. libm's main path needs a positive normal finite
 * x, |y| in [2^-65, 2^64) and y·log x in exp's main range; other lanes call libm. */
DN_HT_AVX2 DN_HT_VINL __m256d dn_ht_vpow4(__m256d x, __m256d y)
{
    const dn_ht_vexp_tables *T = &dn_ht_vexp_tab;
    const __m256i ix = _mm256_castpd_si256(x), iy = _mm256_castpd_si256(y);
    const __m256i minus1 = _mm256_set1_epi64x(-1);
    /* x's exponent field (with the sign bit) − 1 in [0, 0x7fd]; y's field − 0x3be in [0, 0x7f] */
    const __m256i tx = _mm256_sub_epi64(_mm256_srli_epi64(ix, 52), _mm256_set1_epi64x(1));
    const __m256i ty =
        _mm256_sub_epi64(_mm256_and_si256(_mm256_srli_epi64(iy, 52), _mm256_set1_epi64x(0x7ff)),
                         _mm256_set1_epi64x(0x3be));
    __m256i ok =
        _mm256_and_si256(_mm256_and_si256(_mm256_cmpgt_epi64(tx, minus1),
                                          _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x7fe), tx)),
                         _mm256_and_si256(_mm256_cmpgt_epi64(ty, minus1),
                                          _mm256_cmpgt_epi64(_mm256_set1_epi64x(0x80), ty)));

    /* log x = k·ln2 + log c + log1p(z/c − 1) as hi + lo with extra precision. */
    const __m256i tmp = _mm256_sub_epi64(ix, _mm256_set1_epi64x(0x3fe6955500000000));
    _Alignas(32) uint64_t idx[4];
    _mm256_store_si256((__m256i *)idx,
                       _mm256_and_si256(_mm256_srli_epi64(tmp, 45), _mm256_set1_epi64x(127)));
    /* k = tmp >> 52 arithmetically, as a double: sign-extend the 12 bits, then add and remove
     * 1.5·2^52 (exact for small integers, as libm's integer conversion). */
    const __m256i k =
        _mm256_sub_epi64(_mm256_xor_si256(_mm256_srli_epi64(tmp, 52), _mm256_set1_epi64x(0x800)),
                         _mm256_set1_epi64x(0x800));
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    const __m256d kd =
        _mm256_sub_pd(_mm256_castsi256_pd(_mm256_add_epi64(k, _mm256_castpd_si256(magic))), magic);
    const __m256d z = _mm256_castsi256_pd(_mm256_sub_epi64(
        ix, _mm256_and_si256(tmp, _mm256_set1_epi64x((long long)0xfff0000000000000u))));
    /* rows {1/c, -, log c, tail} of the 4 lanes, transposed */
    const __m256d e0 = _mm256_load_pd(&T->log_tab[4 * idx[0]]);
    const __m256d e1 = _mm256_load_pd(&T->log_tab[4 * idx[1]]);
    const __m256d e2 = _mm256_load_pd(&T->log_tab[4 * idx[2]]);
    const __m256d e3 = _mm256_load_pd(&T->log_tab[4 * idx[3]]);
    const __m256d u01 = _mm256_unpacklo_pd(e0, e1), u23 = _mm256_unpacklo_pd(e2, e3);
    const __m256d h01 = _mm256_unpackhi_pd(e0, e1), h23 = _mm256_unpackhi_pd(e2, e3);
    const __m256d invc = _mm256_permute2f128_pd(u01, u23, 0x20);
    const __m256d logc = _mm256_permute2f128_pd(u01, u23, 0x31);
    const __m256d logctail = _mm256_permute2f128_pd(h01, h23, 0x31);

    const __m256d r = _mm256_fmadd_pd(z, invc, _mm256_set1_pd(-1.0));
    const __m256d t1 = _mm256_fmadd_pd(kd, _mm256_set1_pd(T->ln2hi), logc);
    const __m256d lo1 = _mm256_fmadd_pd(kd, _mm256_set1_pd(T->ln2lo), logctail);
    const __m256d ar = _mm256_mul_pd(r, _mm256_set1_pd(T->A[0]));
    const __m256d p12 = _mm256_fmadd_pd(r, _mm256_set1_pd(T->A[2]), _mm256_set1_pd(T->A[1]));
    const __m256d p34 = _mm256_fmadd_pd(r, _mm256_set1_pd(T->A[4]), _mm256_set1_pd(T->A[3]));
    const __m256d t2 = _mm256_add_pd(r, t1);
    const __m256d ar2 = _mm256_mul_pd(r, ar);
    const __m256d d12 = _mm256_sub_pd(t1, t2);
    const __m256d ar3 = _mm256_mul_pd(r, ar2);
    const __m256d lo3 = _mm256_fmsub_pd(ar, r, ar2);
    const __m256d lo2 = _mm256_add_pd(d12, r);
    const __m256d p56 = _mm256_fmadd_pd(r, _mm256_set1_pd(T->A[6]), _mm256_set1_pd(T->A[5]));
    const __m256d hi = _mm256_add_pd(t2, ar2);
    const __m256d d2h = _mm256_sub_pd(t2, hi);
    const __m256d p36 = _mm256_fmadd_pd(p56, ar2, p34);
    const __m256d lo4 = _mm256_add_pd(d2h, ar2);
    const __m256d q = _mm256_fmadd_pd(ar2, p36, p12);
    __m256d lo = _mm256_add_pd(lo1, lo2);
    lo = _mm256_add_pd(lo, lo3);
    lo = _mm256_add_pd(lo, lo4);
    lo = _mm256_fmadd_pd(ar3, q, lo);
    const __m256d lhi = _mm256_add_pd(hi, lo);
    const __m256d ltail = _mm256_add_pd(_mm256_sub_pd(hi, lhi), lo);

    /* y·log x as ehi + elo, then exp with the tail. */
    const __m256d ehi = _mm256_mul_pd(y, lhi);
    const __m256d elo = _mm256_fmadd_pd(y, ltail, _mm256_fmsub_pd(lhi, y, ehi));
    ok = _mm256_and_si256(ok, dn_ht_vexp_lanes_ok(ehi));
    __m256d v = dn_ht_vexp_core(ehi, elo, true);
    int bad = 0xf & ~_mm256_movemask_pd(_mm256_castsi256_pd(ok));
    if (__builtin_expect(bad != 0, 0)) {
        double xs[4], ys[4], zs[4];
        _mm256_storeu_pd(xs, x);
        _mm256_storeu_pd(ys, y);
        _mm256_storeu_pd(zs, v);
        for (int l = 0; l < 4; l++)
            if (bad & (1 << l))
                zs[l] = pow(xs[l], ys[l]);
        v = _mm256_loadu_pd(zs);
    }
    return v;
}
#endif /* x86-64 */

#endif
