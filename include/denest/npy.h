/* NumPy `.npy` arrays (format versions 1.0, 2.0 and 3.0) for `from_array` unit changes
 * (deNEST spec §5.2): read an array of little-endian float64/float32/int64/int32 (or bool) in C
 * or Fortran order into doubles in C order; write float64 arrays (tests, tools). */
#ifndef DENEST_NPY_H
#define DENEST_NPY_H

#include <stdbool.h>
#include <stddef.h>

#include "denest/error.h"

#define DN_NPY_MAX_DIMS 32

typedef enum dn_npy_dtype {
    DN_NPY_F8 = 0, /* '<f8' */
    DN_NPY_F4,     /* '<f4' */
    DN_NPY_I8,     /* '<i8' */
    DN_NPY_I4,     /* '<i4' */
    DN_NPY_B1,     /* '|b1' */
} dn_npy_dtype;

typedef struct dn_npy {
    dn_npy_dtype dtype; /* as stored in the file */
    size_t ndim;        /* 0 for a scalar array */
    size_t shape[DN_NPY_MAX_DIMS];
    size_t n;     /* product of shape (1 for a scalar) */
    double *data; /* n values in C order (last index fastest); malloc'ed */
} dn_npy;

/* "<f8", "<f4", "<i8", "<i4", "|b1". */
const char *dn_npy_dtype_name(dn_npy_dtype dtype);
/* True for the integer and boolean dtypes (values are exact integers). */
bool dn_npy_is_integer(dn_npy_dtype dtype);

/* Read the file at `path`. Errors are DN_EINPUT naming the path and the problem: a missing or
 * unreadable file, a bad magic string or version, a header that is not the dict NumPy writes,
 * an unsupported dtype (big-endian, object, strings...: the message lists the supported ones),
 * a size that does not match the shape. DN_ENOMEM when out of memory. On error *out is zeroed. */
dn_status dn_npy_read(const char *path, dn_npy *out, dn_error *err);

/* Same from `len` bytes in memory; `source` names them in messages. */
dn_status dn_npy_parse(const void *bytes, size_t len, const char *source, dn_npy *out,
                       dn_error *err);

/* Free out->data and zero *out. */
void dn_npy_free(dn_npy *a);

/* Write `n` doubles (C order) of the given shape as a version 1.0 '<f8' file. n must equal the
 * product of shape. DN_ERUNTIME on I/O failure (message names the path and the reason). */
dn_status dn_npy_write(const char *path, const size_t *shape, size_t ndim, const double *data,
                       dn_error *err);

/* The shape as Python prints it: "(5, 5, 1)", "(3,)", "()". Writes into buf; returns buf. */
char *dn_npy_shape_text(const size_t *shape, size_t ndim, char *buf, size_t size);

#endif
