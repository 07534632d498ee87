/* The NumPy `.npy` reader and writer (format 1.0/2.0/3.0): magic "\x93NUMPY", a version, a
 * little-endian header length, then a Python dict literal {'descr', 'fortran_order', 'shape'}
 * padded with spaces, then the raw data. Enough for deNEST's `from_array` inputs (§5.2). */
#include "denest/npy.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char magic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

const char *dn_npy_dtype_name(dn_npy_dtype dtype)
{
    static const char *const names[] = {"<f8", "<f4", "<i8", "<i4", "|b1"};
    return (unsigned)dtype < sizeof names / sizeof names[0] ? names[dtype] : "?";
}

bool dn_npy_is_integer(dn_npy_dtype dtype)
{
    return dtype == DN_NPY_I8 || dtype == DN_NPY_I4 || dtype == DN_NPY_B1;
}

static size_t itemsize(dn_npy_dtype dtype)
{
    switch (dtype) {
    case DN_NPY_F8:
    case DN_NPY_I8:
        return 8;
    case DN_NPY_F4:
    case DN_NPY_I4:
        return 4;
    default:
        return 1;
    }
}

char *dn_npy_shape_text(const size_t *shape, size_t ndim, char *buf, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return buf;
    buf[0] = '\0';
#define PUT(...)                                                                                   \
    do {                                                                                           \
        if (used < size) {                                                                         \
            int k_ = snprintf(buf + used, size - used, __VA_ARGS__);                               \
            used += k_ > 0 ? (size_t)k_ : 0;                                                       \
        }                                                                                          \
    } while (0)
    PUT("(");
    for (size_t i = 0; i < ndim; i++)
        PUT("%s%zu", i ? ", " : "", shape[i]);
    PUT(ndim == 1 ? ",)" : ")");
#undef PUT
    return buf;
}

void dn_npy_free(dn_npy *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}

/* ---- header dict ------------------------------------------------------------------------------
 */

typedef struct hparse {
    const char *p, *end;
} hparse;

static void skip_ws(hparse *h)
{
    while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
        h->p++;
}

static bool eat(hparse *h, char c)
{
    skip_ws(h);
    if (h->p < h->end && *h->p == c) {
        h->p++;
        return true;
    }
    return false;
}

/* A quoted Python string (no escapes needed for the keys and dtypes NumPy writes). */
static bool read_str(hparse *h, char *out, size_t size)
{
    skip_ws(h);
    if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
        return false;
    char q = *h->p++;
    size_t n = 0;
    while (h->p < h->end && *h->p != q) {
        if (*h->p == '\\' || n + 1 >= size)
            return false;
        out[n++] = *h->p++;
    }
    if (h->p >= h->end)
        return false;
    h->p++;
    out[n] = '\0';
    return true;
}

static bool read_word(hparse *h, const char *w)
{
    skip_ws(h);
    size_t n = strlen(w);
    if ((size_t)(h->end - h->p) >= n && memcmp(h->p, w, n) == 0) {
        h->p += n;
        return true;
    }
    return false;
}

static bool read_uint(hparse *h, size_t *out)
{
    skip_ws(h);
    if (h->p >= h->end || *h->p < '0' || *h->p > '9')
        return false;
    size_t v = 0;
    while (h->p < h->end && *h->p >= '0' && *h->p <= '9') {
        size_t d = (size_t)(*h->p - '0');
        if (v > (SIZE_MAX - d) / 10)
            return false;
        v = v * 10 + d;
        h->p++;
    }
    /* NumPy on some platforms wrote longs as "5L". */
    if (h->p < h->end && *h->p == 'L')
        h->p++;
    *out = v;
    return true;
}

static bool read_shape(hparse *h, dn_npy *a)
{
    if (!eat(h, '('))
        return false;
    a->ndim = 0;
    if (eat(h, ')'))
        return true;
    for (;;) {
        if (a->ndim >= DN_NPY_MAX_DIMS || !read_uint(h, &a->shape[a->ndim]))
            return false;
        a->ndim++;
        if (eat(h, ')'))
            return true;
        if (!eat(h, ','))
            return false;
        if (eat(h, ')'))
            return true;
    }
}

static bool parse_descr(const char *d, dn_npy_dtype *out)
{
    static const struct {
        const char *name;
        dn_npy_dtype t;
    } known[] = {
        {"<f8", DN_NPY_F8}, {"<f4", DN_NPY_F4}, {"<i8", DN_NPY_I8}, {"<i4", DN_NPY_I4},
        {"|b1", DN_NPY_B1}, {"<b1", DN_NPY_B1}, {"=b1", DN_NPY_B1}, {"?", DN_NPY_B1},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (strcmp(d, known[i].name) == 0) {
            *out = known[i].t;
            return true;
        }
    return false;
}

static dn_status bad(dn_error *err, const char *source, const char *what)
{
    return dn_error_set(err, DN_EINPUT, NULL, NULL, "'%s' is not a valid .npy array file: %s",
                        source, what);
}

/* The header dict: {'descr': '<f8', 'fortran_order': False, 'shape': (5, 5, 1), } in any key
 * order. */
static dn_status parse_header(const char *text, size_t len, const char *source, dn_npy *a,
                              bool *fortran, dn_error *err)
{
    hparse h = {text, text + len};
    bool have_descr = false, have_order = false, have_shape = false;
    if (!eat(&h, '{'))
        return bad(err, source, "the header is not a Python dict");
    while (!eat(&h, '}')) {
        char key[32];
        if (!read_str(&h, key, sizeof key) || !eat(&h, ':'))
            return bad(err, source, "cannot read the header dict");
        if (strcmp(key, "descr") == 0) {
            char d[64];
            if (!read_str(&h, d, sizeof d))
                return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                    "'%s': unsupported array type (a structured dtype); save "
                                    "a plain float64, float32, int64, int32 or bool array",
                                    source);
            if (!parse_descr(d, &a->dtype))
                return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                    "'%s': unsupported array type '%s'; supported: '<f8' "
                                    "(float64), '<f4' (float32), '<i8' (int64), '<i4' (int32), "
                                    "'|b1' (bool), little-endian",
                                    source, d);
            have_descr = true;
        } else if (strcmp(key, "fortran_order") == 0) {
            if (read_word(&h, "True"))
                *fortran = true;
            else if (read_word(&h, "False"))
                *fortran = false;
            else
                return bad(err, source, "'fortran_order' is not True or False");
            have_order = true;
        } else if (strcmp(key, "shape") == 0) {
            if (!read_shape(&h, a))
                return bad(err, source, "'shape' is not a tuple of sizes");
            have_shape = true;
        } else {
            return bad(err, source, "unexpected key in the header dict");
        }
        if (!eat(&h, ',')) {
            if (!eat(&h, '}'))
                return bad(err, source, "cannot read the header dict");
            break;
        }
    }
    if (!have_descr || !have_order || !have_shape)
        return bad(err, source, "the header lacks 'descr', 'fortran_order' or 'shape'");
    return DN_OK;
}

/* ---- data -------------------------------------------------------------------------------------
 */

static double load_item(const unsigned char *p, dn_npy_dtype t)
{
    /* Little-endian storage, read byte by byte so the host's endianness does not matter. */
    uint64_t u = 0;
    size_t k = itemsize(t);
    for (size_t i = 0; i < k; i++)
        u |= (uint64_t)p[i] << (8 * i);
    switch (t) {
    case DN_NPY_F8: {
        double d;
        memcpy(&d, &u, sizeof d);
        return d;
    }
    case DN_NPY_F4: {
        uint32_t u32 = (uint32_t)u;
        float f;
        memcpy(&f, &u32, sizeof f);
        return (double)f;
    }
    case DN_NPY_I8:
        return (double)(int64_t)u;
    case DN_NPY_I4:
        return (double)(int32_t)(uint32_t)u;
    default:
        return u != 0 ? 1.0 : 0.0;
    }
}

dn_status dn_npy_parse(const void *bytes, size_t len, const char *source, dn_npy *out,
                       dn_error *err)
{
    const unsigned char *b = bytes;
    dn_npy a;
    memset(&a, 0, sizeof a);
    memset(out, 0, sizeof *out);
    if (!source)
        source = "<memory>";
    if (len < 10 || memcmp(b, magic, sizeof magic) != 0)
        return bad(err, source, "it does not start with the NumPy magic string");
    unsigned major = b[6];
    size_t hlen, hstart;
    if (major == 1) {
        hlen = (size_t)b[8] | (size_t)b[9] << 8;
        hstart = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return bad(err, source, "the file is truncated");
        hlen = (size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24;
        hstart = 12;
    } else {
        char what[64];
        snprintf(what, sizeof what, "format version %u.%u is not supported (1.0 to 3.0 are)", major,
                 (unsigned)b[7]);
        return bad(err, source, what);
    }
    if (hlen > len - hstart)
        return bad(err, source, "the file is truncated (header)");
    bool fortran = false;
    dn_status st = parse_header((const char *)b + hstart, hlen, source, &a, &fortran, err);
    if (st != DN_OK)
        return st;
    size_t n = 1;
    for (size_t i = 0; i < a.ndim; i++) {
        if (a.shape[i] != 0 && n > SIZE_MAX / 8 / a.shape[i])
            return bad(err, source, "the shape is too large");
        n *= a.shape[i];
    }
    size_t isz = itemsize(a.dtype), data_off = hstart + hlen;
    if (len - data_off != n * isz) {
        char what[160], sh[96];
        snprintf(what, sizeof what,
                 "its data holds %zu bytes but shape %s of '%s' needs %zu (truncated file?)",
                 len - data_off, dn_npy_shape_text(a.shape, a.ndim, sh, sizeof sh),
                 dn_npy_dtype_name(a.dtype), n * isz);
        return bad(err, source, what);
    }
    a.n = n;
    a.data = malloc((n ? n : 1) * sizeof *a.data);
    if (!a.data)
        return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory reading '%s'", source);
    const unsigned char *d = b + data_off;
    if (!fortran || a.ndim < 2) {
        for (size_t i = 0; i < n; i++)
            a.data[i] = load_item(d + i * isz, a.dtype);
    } else {
        /* Walk the C-order index (last fastest) and fetch the Fortran-order offset
         * (first index fastest). */
        size_t idx[DN_NPY_MAX_DIMS] = {0}, stride[DN_NPY_MAX_DIMS];
        stride[0] = 1;
        for (size_t k = 1; k < a.ndim; k++)
            stride[k] = stride[k - 1] * a.shape[k - 1];
        for (size_t i = 0; i < n; i++) {
            size_t off = 0;
            for (size_t k = 0; k < a.ndim; k++)
                off += idx[k] * stride[k];
            a.data[i] = load_item(d + off * isz, a.dtype);
            for (size_t k = a.ndim; k-- > 0;) {
                if (++idx[k] < a.shape[k])
                    break;
                idx[k] = 0;
            }
        }
    }
    *out = a;
    return DN_OK;
}

dn_status dn_npy_read(const char *path, dn_npy *out, dn_error *err)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "Could not load array from file at '%s': %s", path, strerror(errno));
    unsigned char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? 2 * cap : 65536;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return dn_error_set(err, DN_ENOMEM, NULL, NULL, "out of memory reading '%s'", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t k = fread(buf + len, 1, cap - len, f);
        len += k;
        if (k == 0)
            break;
    }
    bool failed = ferror(f) != 0;
    int e = errno;
    fclose(f);
    if (failed) {
        free(buf);
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "Could not load array from file at '%s': %s", path, strerror(e));
    }
    dn_status st = dn_npy_parse(buf, len, path, out, err);
    free(buf);
    return st;
}

dn_status dn_npy_write(const char *path, const size_t *shape, size_t ndim, const double *data,
                       dn_error *err)
{
    char dict[512], sh[400];
    size_t n = 1;
    for (size_t i = 0; i < ndim; i++)
        n *= shape[i];
    int k = snprintf(dict, sizeof dict, "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }",
                     dn_npy_shape_text(shape, ndim, sh, sizeof sh));
    if (k < 0 || (size_t)k >= sizeof dict - 64)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "shape of '%s' too long", path);
    /* Pad with spaces so that magic + 4 + header + '\n' is a multiple of 64 (NumPy's rule). */
    size_t hl = (size_t)k + 1;
    while ((10 + hl) % 64)
        dict[k++] = ' ', hl++;
    dict[k++] = '\n';
    FILE *f = fopen(path, "wb");
    if (!f)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "cannot create '%s': %s", path,
                            strerror(errno));
    unsigned char head[10];
    memcpy(head, magic, 6);
    head[6] = 1;
    head[7] = 0;
    head[8] = (unsigned char)(hl & 0xff);
    head[9] = (unsigned char)(hl >> 8);
    bool ok = fwrite(head, 1, 10, f) == 10 && fwrite(dict, 1, hl, f) == hl;
    for (size_t i = 0; ok && i < n; i++) {
        uint64_t u;
        unsigned char le[8];
        memcpy(&u, &data[i], 8);
        for (int j = 0; j < 8; j++)
            le[j] = (unsigned char)(u >> (8 * j));
        ok = fwrite(le, 1, 8, f) == 8;
    }
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "writing '%s' failed: %s", path,
                            strerror(e));
    return DN_OK;
}
