/* Helpers for models' calibrate: do all nodes of a block share their parameters?
 * (include/denest/model.h). */
#include <math.h>

#include "denest/model.h"

bool dn_block_uniform_f64(const dn_block *b, int first, int last)
{
    for (int c = first; c <= last; c++) {
        const double *x = dn_col_f64(b, c);
        for (size_t i = 1; i < b->n; i++)
            if (!(x[i] == x[0] || (isnan(x[i]) && isnan(x[0]))))
                return false;
    }
    return true;
}
