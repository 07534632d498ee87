/* "Did you mean ...?" suggestions: the nearest valid name to a mistyped one. */
#ifndef DENEST_SUGGEST_H
#define DENEST_SUGGEST_H

#include <stddef.h>

/* Edit distance (Damerau–Levenshtein, optimal string alignment) between two strings. */
size_t dn_edit_distance(const char *a, const char *b);

/* The candidate nearest to `word`, or NULL if none is close enough to be a plausible typo
 * (distance at most max(2, len/3), or one is a case-insensitive match of the other). */
const char *dn_suggest(const char *word, const char *const *candidates, size_t n);

#endif
