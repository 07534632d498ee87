/* The list of validation errors: the validator reports every problem it finds rather than the
 * first, so a user fixes a file in one round; identical reports (a bad value inherited by many
 * leaves) are kept once. */
#include "denest/schema.h"

#include <stdlib.h>
#include <string.h>

void dn_schema_errors_free(dn_schema_errors *errors)
{
    if (!errors)
        return;
    free(errors->items);
    size_t max = errors->max;
    memset(errors, 0, sizeof *errors);
    errors->max = max;
}

static bool same(const dn_error *a, const dn_error *b)
{
    return a->status == b->status && a->mark.line == b->mark.line &&
           a->mark.column == b->mark.column &&
           (a->mark.file == b->mark.file ||
            (a->mark.file && b->mark.file && strcmp(a->mark.file, b->mark.file) == 0)) &&
           strcmp(a->path, b->path) == 0 && strcmp(a->message, b->message) == 0;
}

bool dn_schema_errors_add(dn_schema_errors *errors, const dn_error *err)
{
    for (size_t i = 0; i < errors->len; i++)
        if (same(&errors->items[i], err))
            return true;
    size_t max = errors->max ? errors->max : DN_SCHEMA_MAX_ERRORS;
    if (errors->len >= max) {
        errors->dropped++;
        return true;
    }
    if (errors->len == errors->cap) {
        size_t cap = errors->cap ? 2 * errors->cap : 8;
        dn_error *items = realloc(errors->items, cap * sizeof *items);
        if (!items) {
            errors->nomem = true;
            return false;
        }
        errors->items = items;
        errors->cap = cap;
    }
    errors->items[errors->len++] = *err;
    return true;
}

dn_status dn_schema_errors_status(const dn_schema_errors *errors)
{
    if (errors->nomem)
        return DN_ENOMEM;
    if (errors->len)
        return errors->items[0].status;
    return errors->dropped ? DN_EINPUT : DN_OK;
}
