/* Interned strings (file names carried by source marks): one immortal copy per content.
 * A small open-addressing hash set behind a mutex; the table is never shrunk or freed, which is
 * fine for its few entries (one per parameter file) and keeps marks valid everywhere. */
#include "denest/error.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **intern_slots;
static size_t intern_cap, intern_count;

static uint64_t intern_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static int intern_grow(void)
{
    size_t cap = intern_cap ? intern_cap * 2 : 64;
    char **slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t i = 0; i < intern_cap; i++) {
        if (!intern_slots[i])
            continue;
        size_t j = intern_hash(intern_slots[i]) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = intern_slots[i];
    }
    free(intern_slots);
    intern_slots = slots;
    intern_cap = cap;
    return 0;
}

const char *dn_intern(const char *s)
{
    if (!s)
        return NULL;
    const char *result = NULL;
    pthread_mutex_lock(&intern_lock);
    if ((intern_count + 1) * 2 > intern_cap && intern_grow() != 0)
        goto out;
    size_t j = intern_hash(s) & (intern_cap - 1);
    while (intern_slots[j]) {
        if (strcmp(intern_slots[j], s) == 0) {
            result = intern_slots[j];
            goto out;
        }
        j = (j + 1) & (intern_cap - 1);
    }
    intern_slots[j] = strdup(s);
    if (intern_slots[j]) {
        intern_count++;
        result = intern_slots[j];
    }
out:
    pthread_mutex_unlock(&intern_lock);
    return result;
}
