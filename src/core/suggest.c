/* "Did you mean" suggestions by edit distance (optimal string alignment). */
#include "denest/suggest.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t dn_edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n == 0)
        return m;
    if (m == 0)
        return n;
    /* Three rolling rows: previous-previous (for transpositions), previous, current. */
    size_t *buf = malloc(3 * (m + 1) * sizeof *buf);
    if (!buf)
        return n > m ? n : m;
    size_t *pp = buf, *p = buf + (m + 1), *c = buf + 2 * (m + 1);
    for (size_t j = 0; j <= m; j++)
        p[j] = j;
    for (size_t i = 1; i <= n; i++) {
        c[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = p[j] + 1;
            if (c[j - 1] + 1 < best)
                best = c[j - 1] + 1;
            if (p[j - 1] + cost < best)
                best = p[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < best)
                best = pp[j - 2] + 1;
            c[j] = best;
        }
        size_t *t = pp;
        pp = p;
        p = c;
        c = t;
    }
    size_t d = p[m];
    free(buf);
    return d;
}

const char *dn_suggest(const char *word, const char *const *candidates, size_t n)
{
    if (!word)
        return NULL;
    const char *best = NULL;
    size_t best_d = (size_t)-1;
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        if (strcasecmp(word, candidates[i]) == 0)
            return candidates[i];
        size_t d = dn_edit_distance(word, candidates[i]);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best_d <= limit ? best : NULL;
}
