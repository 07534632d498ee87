/* exp and pow, four lanes at a time with AVX2+FMA, bit-identical to glibc's scalar exp()/pow().
 * On a CPU with AVX2 and FMA, glibc 2.36's libm runs table-driven exp and pow compiled with FMA
 * contractions (exp: 2^(k/128) table, degree-5 polynomial; pow: log with a 128-entry table and
 * extra precision, then the same exp core). This file replays exactly those operations - same
 * constants and tables (read from the loaded libm itself, never copied into our sources), same
 * FMA-versus-separate-operation choices, same order - in vector lanes; lanes outside the range
 * where that sequence applies (huge, tiny, non-finite, non-positive bases) call scalar libm.
 * Nothing is trusted blindly: the vector path is used only if the CPU has AVX2+FMA, the tables
 * were found and validated, and a self-check against libm matched every bit (ht_vexp.h). */
#define _GNU_SOURCE /* dl_iterate_phdr */
#include "models/ht_vexp.h"

#include <link.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* ---- the tables, as libm holds them ------------------------------------------------------- */

enum { EXP_N = 128, LOG_N = 128 };

#ifdef DN_HT_VEXP_X86
dn_ht_vexp_tables dn_ht_vexp_tab; /* filled once, by vm_init, before the kernels may run */

static uint64_t bits_of(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}

static double double_of(uint64_t u)
{
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

static bool near_rel(double x, double want, double tol)
{
    return fabs(x - want) <= tol * fabs(want);
}

/* libm's exp data: 8 constants (128/ln2, −ln2/128 high and low, 4 polynomial coefficients, the
 * rounding shift 1.5·2^52), 6 of exp2's, then 2·128 64-bit table words. `h` is its start. */
static bool try_exp_data(const unsigned char *h)
{
    double c[8];
    memcpy(c, h, sizeof c);
    const double ln2N = M_LN2 / EXP_N;
    if (!near_rel(c[0], 1.0 / ln2N, 1e-14) || !near_rel(-c[1], ln2N, 1e-11) ||
        !near_rel(-(c[1] + c[2]), ln2N, 1e-15) || !near_rel(c[3], 1.0 / 2, 1e-6) ||
        !near_rel(c[4], 1.0 / 6, 1e-6) || !near_rel(c[5], 1.0 / 24, 1e-5) ||
        !near_rel(c[6], 1.0 / 120, 1e-4) || c[7] != 0x1.8p52)
        return false;
    uint64_t t[2 * EXP_N];
    memcpy(t, h + 14 * sizeof(double), sizeof t);
    for (int i = 0; i < EXP_N; i++) {
        const double tail = double_of(t[2 * i]);
        const double scale = double_of(t[2 * i + 1] + ((uint64_t)i << 45));
        if (!(fabs(tail) < 0x1p-52) || !near_rel(scale, exp2((double)i / EXP_N), 0x1p-50))
            return false;
    }
    dn_ht_vexp_tab.invln2N = c[0], dn_ht_vexp_tab.negln2hiN = c[1], dn_ht_vexp_tab.negln2loN = c[2];
    dn_ht_vexp_tab.C2 = c[3], dn_ht_vexp_tab.C3 = c[4], dn_ht_vexp_tab.C4 = c[5],
    dn_ht_vexp_tab.C5 = c[6], dn_ht_vexp_tab.shift = c[7];
    memcpy(dn_ht_vexp_tab.exp_tab, t, sizeof t);
    return true;
}

/* libm's pow-log data: ln2 high and low, 7 polynomial coefficients (the first −1/2), then 128
 * rows {1/c, padding, log c, log c tail}. `h` is its start. */
static bool try_pow_log_data(const unsigned char *h)
{
    double c[9];
    memcpy(c, h, sizeof c);
    /* log1p(r) − r + r²/2 = −r³/2 · (A1 + A2 r + (−r²/2)(A3 + A4 r + (−r²/2)(A5 + A6 r))) */
    static const double series[7] = {-0.5, -2.0 / 3, 0.5, 0.8, -2.0 / 3, -8.0 / 7, 1.0};
    if (!near_rel(c[0], M_LN2, 1e-11) || !near_rel(c[0] + c[1], M_LN2, 1e-15) || c[2] != -0.5)
        return false;
    for (int j = 1; j < 7; j++)
        if (!near_rel(c[2 + j], series[j], 1e-3))
            return false;
    double t[4 * LOG_N];
    memcpy(t, h + 9 * sizeof(double), sizeof t);
    for (int i = 0; i < LOG_N; i++) {
        const double invc = t[4 * i], logc = t[4 * i + 2], tail = t[4 * i + 3];
        if (!(invc > 0.7 && invc < 1.42) || !(fabs(tail) < 1e-12) ||
            !(fabs(logc + tail + log(invc)) < 1e-14))
            return false;
    }
    dn_ht_vexp_tab.ln2hi = c[0], dn_ht_vexp_tab.ln2lo = c[1];
    memcpy(dn_ht_vexp_tab.A, c + 2, sizeof dn_ht_vexp_tab.A);
    memcpy(dn_ht_vexp_tab.log_tab, t, sizeof t);
    return true;
}

typedef struct scan_state {
    bool exp_found, pow_found;
} scan_state;

/* Look for both structures in one read-only segment, by their unmistakable first words (exp's
 * table starts {0, 1.0}; pow's coefficients start with −0.5) and then full validation. */
static void scan_region(const unsigned char *start, size_t len, scan_state *st)
{
    const size_t exp_head = 14 * sizeof(double), exp_size = exp_head + 2 * EXP_N * 8;
    const size_t pow_head = 2 * sizeof(double), pow_size = 9 * sizeof(double) + 4 * LOG_N * 8;
    const uintptr_t base = (uintptr_t)start;
    for (size_t off = (8 - base % 8) % 8; off + 16 <= len; off += 8) {
        uint64_t w[2];
        memcpy(w, start + off, sizeof w);
        if (!st->exp_found && w[0] == 0 && w[1] == 0x3ff0000000000000u && off >= exp_head &&
            off - exp_head + exp_size <= len)
            st->exp_found = try_exp_data(start + off - exp_head);
        if (!st->pow_found && w[0] == 0xbfe0000000000000u && off >= pow_head &&
            off - pow_head + pow_size <= len)
            st->pow_found = try_pow_log_data(start + off - pow_head);
        if (st->exp_found && st->pow_found)
            return;
    }
}

static int scan_object(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    scan_state *st = data;
    const char *name = info->dlpi_name ? info->dlpi_name : "";
    const char *slash = strrchr(name, '/');
    const char *base = slash ? slash + 1 : name;
    if (strncmp(base, "libm.so", 7) != 0 && strncmp(base, "libm-", 5) != 0)
        return 0;
    for (int i = 0; i < info->dlpi_phnum && !(st->exp_found && st->pow_found); i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_R) && !(ph->p_flags & PF_W))
            scan_region((const unsigned char *)(info->dlpi_addr + ph->p_vaddr), ph->p_memsz, st);
    }
    return st->exp_found && st->pow_found;
}

/* ---- whole arrays ------------------------------------------------------------------------ */

/* A partial last group repeats its first element in the unused lanes. */
DN_HT_AVX2 static void vexp_n(const double *x, double *y, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(y + i, dn_ht_vexp4(_mm256_loadu_pd(x + i)));
    if (i < n) {
        double a[4], b[4];
        for (size_t l = 0; l < 4; l++)
            a[l] = x[i + (i + l < n ? l : 0)];
        _mm256_storeu_pd(b, dn_ht_vexp4(_mm256_loadu_pd(a)));
        memcpy(y + i, b, (n - i) * sizeof *y);
    }
}

DN_HT_AVX2 static void vpow_n(const double *x, const double *y, double *z, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        _mm256_storeu_pd(z + i, dn_ht_vpow4(_mm256_loadu_pd(x + i), _mm256_loadu_pd(y + i)));
    if (i < n) {
        double a[4], b[4], c[4];
        for (size_t l = 0; l < 4; l++) {
            a[l] = x[i + (i + l < n ? l : 0)];
            b[l] = y[i + (i + l < n ? l : 0)];
        }
        _mm256_storeu_pd(c, dn_ht_vpow4(_mm256_loadu_pd(a), _mm256_loadu_pd(b)));
        memcpy(z + i, c, (n - i) * sizeof *z);
    }
}
#endif /* DN_HT_VEXP_X86 */

/* ---- decision at first use ---------------------------------------------------------------- */

enum { VM_UNKNOWN = 0, VM_READY, VM_UNAVAILABLE };
static atomic_int vm_state = VM_UNKNOWN;
static atomic_bool vm_enabled = true;
static pthread_once_t vm_once = PTHREAD_ONCE_INIT;

#ifdef DN_HT_VEXP_X86
/* A deterministic spread of n points in [lo, hi) (golden-ratio sequence); no RNG needed. */
static double spread(unsigned i, double lo, double hi)
{
    const double g = 0.6180339887498949;
    double f = (double)i * g;
    f -= floor(f);
    return lo + (hi - lo) * f;
}

static bool same_bits(double a, double b)
{
    return bits_of(a) == bits_of(b);
}

/* Every argument through the 4-lane kernels against scalar libm, bit for bit. */
static bool self_check(void)
{
    enum { NE = 4096 };
    static const double special[] = {0.0,     -0.0,     1e-300,    -1e-300, 0x1p-54, -0x1p-54,
                                     0x1p-55, 0x1p-53,  512.0,     -512.0,  511.99,  -511.99,
                                     709.78,  709.79,   -708.39,   -745.13, -745.2,  1023.0,
                                     -1100,   INFINITY, -INFINITY, NAN,     1.0,     -1.0};
    enum { NS = sizeof special / sizeof special[0] };
    double x[NE], y[NE];
    for (unsigned i = 0; i < NE; i++) {
        if (i < NS)
            x[i] = special[i];
        else if (i < 2048)
            x[i] = -50.0 + 100.0 * (double)(i - NS) / (2048 - NS); /* the range ht_neuron uses */
        else if (i < 3584)
            x[i] = spread(i, -50.0, 50.0);
        else
            x[i] = spread(i, -745.0, 710.0);
    }
    vexp_n(x, y, NE);
    for (unsigned i = 0; i < NE; i++)
        if (!same_bits(y[i], exp(x[i])))
            return false;

    /* pow: the exponents ht_neuron uses (3, 3.5) and the step control's (1/5, 1/6), bases over
     * many binades, then general exponents; plus the special bases. */
    static const double sx[] = {0.0, -0.0, -1.0, 1.0, 0x1p-1060, INFINITY, NAN, 2.0};
    enum { NSX = sizeof sx / sizeof sx[0] };
    double b[NE], e[NE], z[NE];
    static const double ey[] = {3.0, 3.5, 0.2, 1.0 / 6.0};
    for (unsigned i = 0; i < NE; i++) {
        e[i] = ey[i % 4];
        if (i < NSX)
            b[i] = sx[i];
        else if (i < 1024)
            b[i] = spread(i, 0.0, 1.0);
        else if (i < 3072)
            b[i] = exp(spread(i, -12.0, 12.0));
        else {
            b[i] = exp(spread(i, -7.0, 7.0));
            e[i] = spread(i * 7u, -20.0, 20.0);
        }
    }
    vpow_n(b, e, z, NE);
    for (unsigned i = 0; i < NE; i++)
        if (!same_bits(z[i], pow(b[i], e[i])))
            return false;
    return true;
}
#endif

static void vm_init(void)
{
    int state = VM_UNAVAILABLE;
#ifdef DN_HT_VEXP_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        scan_state st = {false, false};
        dl_iterate_phdr(scan_object, &st);
        if (st.exp_found && st.pow_found && self_check())
            state = VM_READY;
    }
#endif
    atomic_store(&vm_state, state);
}

bool dn_ht_vmath_ready(void)
{
    int s = atomic_load_explicit(&vm_state, memory_order_acquire);
    if (s == VM_UNKNOWN) {
        pthread_once(&vm_once, vm_init);
        s = atomic_load(&vm_state);
    }
    return s == VM_READY;
}

bool dn_ht_vmath_enable(bool on)
{
    return atomic_exchange(&vm_enabled, on);
}

bool dn_ht_vmath_use(void)
{
    return dn_ht_vmath_ready() && atomic_load_explicit(&vm_enabled, memory_order_relaxed);
}

void dn_ht_vexp(const double *x, double *y, size_t n)
{
#ifdef DN_HT_VEXP_X86
    if (dn_ht_vmath_use()) {
        vexp_n(x, y, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        y[i] = exp(x[i]);
}

void dn_ht_vpow(const double *x, const double *y, double *z, size_t n)
{
#ifdef DN_HT_VEXP_X86
    if (dn_ht_vmath_use()) {
        vpow_n(x, y, z, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        z[i] = pow(x[i], y[i]);
}
