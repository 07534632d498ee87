/* Plain scalar resolution (YAML 1.1 as PyYAML's SafeLoader applies it): which unquoted texts are
 * null, booleans, integers or floats, and which stay strings. One deliberate extension: exponents
 * without a dot or a sign (`1e3`, `1.0e3`) and signed `.5` forms (`-.5`) are floats here. */
#include "denest/yaml.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct scalar {
    dn_value_type type;
    bool b;
    int64_t i;
    double d;
    bool overflow; /* an integer beyond int64 */
} scalar;

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool text_is(const char *s, size_t n, const char *word)
{
    return strlen(word) == n && memcmp(s, word, n) == 0;
}

static bool is_null(const char *s, size_t n)
{
    return n == 0 || text_is(s, n, "~") || text_is(s, n, "null") || text_is(s, n, "Null") ||
           text_is(s, n, "NULL");
}

/* YAML 1.1 booleans: each word in lower, Capitalised and UPPER case only. */
static int bool_word(const char *s, size_t n)
{
    static const char *const yes[] = {"yes",  "Yes", "YES", "true", "True",
                                      "TRUE", "on",  "On",  "ON"};
    static const char *const no[] = {"no",    "No",  "NO",  "false", "False",
                                     "FALSE", "off", "Off", "OFF"};
    for (size_t k = 0; k < sizeof yes / sizeof *yes; k++) {
        if (text_is(s, n, yes[k]))
            return 1;
        if (text_is(s, n, no[k]))
            return 0;
    }
    return -1;
}

static int digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

/* Accumulate digits of s[0..n) in `base` (underscores skipped) into *mag; false if a character is
 * not a digit of the base or no digit at all; sets *overflow past 2^63. */
static bool digits_in_base(const char *s, size_t n, int base, uint64_t *mag, bool *overflow)
{
    uint64_t m = 0;
    bool any = false;
    for (size_t k = 0; k < n; k++) {
        if (s[k] == '_')
            continue;
        int d = digit_value(s[k]);
        if (d >= base)
            return false;
        any = true;
        if (m > (UINT64_MAX - (uint64_t)d) / (uint64_t)base)
            *overflow = true;
        else
            m = m * (uint64_t)base + (uint64_t)d;
    }
    *mag = m;
    return any;
}

/* A sexagesimal group after ':' is [0-5]?[0-9]. Returns the length consumed (1 or 2), 0 if none. */
static size_t sexa_group(const char *s, size_t n)
{
    if (n >= 2 && s[0] >= '0' && s[0] <= '5' && is_digit(s[1]) && (n == 2 || !is_digit(s[2])))
        return 2;
    if (n >= 1 && is_digit(s[0]) && (n == 1 || !is_digit(s[1])))
        return 1;
    return 0;
}

/* Store a signed magnitude into sc as an int (or flag overflow). */
static void set_int(scalar *sc, bool neg, uint64_t mag, bool overflow)
{
    sc->type = DN_VALUE_INT;
    if (overflow || mag > (uint64_t)INT64_MAX + (neg ? 1u : 0u)) {
        sc->overflow = true;
        return;
    }
    sc->i = neg ? (mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
}

/* YAML 1.1 int forms: 0, decimal, 0b binary, 0x hex, 0-prefixed octal, 0o octal (extension),
 * sexagesimal [1-9][0-9_]*(:[0-5]?[0-9])+. Underscores are separators. */
static bool match_int(const char *s, size_t n, scalar *sc)
{
    bool neg = false;
    if (n && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s++;
        n--;
    }
    if (n == 0 || !is_digit(s[0]))
        return false;
    uint64_t mag = 0;
    bool overflow = false;
    if (n == 1 && s[0] == '0') {
        set_int(sc, neg, 0, false);
        return true;
    }
    if (s[0] == '0' && n > 2 && (s[1] == 'b' || s[1] == 'x' || s[1] == 'o')) {
        int base = s[1] == 'b' ? 2 : s[1] == 'x' ? 16 : 8;
        if (!digits_in_base(s + 2, n - 2, base, &mag, &overflow))
            return false;
        set_int(sc, neg, mag, overflow);
        return true;
    }
    if (s[0] == '0') {
        /* 0[0-7_]+ is octal; after removing '_' a lone 0 is zero. */
        for (size_t k = 1; k < n; k++)
            if (s[k] != '_' && (s[k] < '0' || s[k] > '7'))
                return false;
        digits_in_base(s, n, 8, &mag, &overflow);
        set_int(sc, neg, mag, overflow);
        return true;
    }
    /* [1-9][0-9_]* optionally followed by sexagesimal groups. */
    size_t k = 1;
    while (k < n && (is_digit(s[k]) || s[k] == '_'))
        k++;
    if (k == n) {
        digits_in_base(s, n, 10, &mag, &overflow);
        set_int(sc, neg, mag, overflow);
        return true;
    }
    if (s[k] != ':')
        return false;
    digits_in_base(s, k, 10, &mag, &overflow);
    while (k < n) {
        if (s[k] != ':')
            return false;
        size_t g = sexa_group(s + k + 1, n - k - 1);
        if (g == 0)
            return false;
        uint64_t part = 0;
        digits_in_base(s + k + 1, g, 10, &part, &overflow);
        if (mag > (UINT64_MAX - part) / 60)
            overflow = true;
        else
            mag = mag * 60 + part;
        k += 1 + g;
    }
    set_int(sc, neg, mag, overflow);
    return true;
}

/* strtod of s[0..n) with underscores removed. */
static double to_double(const char *s, size_t n)
{
    char small[64];
    char *buf = n < sizeof small ? small : malloc(n + 1);
    if (!buf)
        return NAN; /* out of memory in a float of > 64 characters: report it as nan */
    size_t m = 0;
    for (size_t k = 0; k < n; k++)
        if (s[k] != '_')
            buf[m++] = s[k];
    buf[m] = '\0';
    double d = strtod(buf, NULL);
    if (buf != small)
        free(buf);
    return d;
}

/* Length of [0-9_]* at s. */
static size_t span_digits(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && (is_digit(s[k]) || s[k] == '_'))
        k++;
    return k;
}

/* Exponent [eE][-+]?[0-9]+ (PyYAML requires the sign; we do not). Returns its length or 0. */
static size_t span_exponent(const char *s, size_t n)
{
    if (n < 2 || (s[0] != 'e' && s[0] != 'E'))
        return 0;
    size_t k = 1;
    if (s[k] == '-' || s[k] == '+')
        k++;
    size_t d = k;
    while (k < n && is_digit(s[k]))
        k++;
    return k > d ? k : 0;
}

static bool match_float(const char *s, size_t n, scalar *sc)
{
    const char *body = s;
    size_t m = n;
    bool neg = false;
    if (m && (body[0] == '-' || body[0] == '+')) {
        neg = body[0] == '-';
        body++;
        m--;
    }
    if (text_is(body, m, ".inf") || text_is(body, m, ".Inf") || text_is(body, m, ".INF")) {
        sc->type = DN_VALUE_DOUBLE;
        sc->d = neg ? -INFINITY : INFINITY;
        return true;
    }
    if (m == n && (text_is(s, n, ".nan") || text_is(s, n, ".NaN") || text_is(s, n, ".NAN"))) {
        sc->type = DN_VALUE_DOUBLE;
        sc->d = NAN;
        return true;
    }
    if (m == 0)
        return false;
    if (body[0] == '.') {
        /* \.[0-9][0-9_]*(exp)? — PyYAML takes no sign here; we accept -.5 too. */
        if (m < 2 || !is_digit(body[1]))
            return false;
        size_t k = 1 + span_digits(body + 1, m - 1);
        k += span_exponent(body + k, m - k);
        if (k != m)
            return false;
        sc->type = DN_VALUE_DOUBLE;
        sc->d = to_double(s, n);
        return true;
    }
    if (!is_digit(body[0]))
        return false;
    size_t k = span_digits(body, m);
    if (k < m && body[k] == ':') {
        /* Sexagesimal float: [0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]* */
        double value = to_double(body, k);
        while (k < m && body[k] == ':') {
            size_t g = sexa_group(body + k + 1, m - k - 1);
            if (g == 0)
                return false;
            size_t start = k + 1;
            k += 1 + g;
            if (k < m && body[k] == '.') {
                size_t end = k + 1 + span_digits(body + k + 1, m - k - 1);
                if (end != m)
                    return false;
                value = value * 60 + to_double(body + start, end - start);
                sc->type = DN_VALUE_DOUBLE;
                sc->d = neg ? -value : value;
                return true;
            }
            value = value * 60 + to_double(body + start, g);
        }
        return false; /* no fractional part: that is an int form, or a string */
    }
    bool dot = false;
    if (k < m && body[k] == '.') {
        dot = true;
        k++;
        k += span_digits(body + k, m - k);
    }
    size_t e = span_exponent(body + k, m - k);
    k += e;
    if (k != m || (!dot && e == 0))
        return false;
    sc->type = DN_VALUE_DOUBLE;
    sc->d = to_double(s, n);
    return true;
}

static void classify(const char *s, size_t n, scalar *sc)
{
    memset(sc, 0, sizeof *sc);
    sc->type = DN_VALUE_STRING;
    if (is_null(s, n)) {
        sc->type = DN_VALUE_NULL;
        return;
    }
    int b = bool_word(s, n);
    if (b >= 0) {
        sc->type = DN_VALUE_BOOL;
        sc->b = b;
        return;
    }
    /* Every non-string form starts with one of these characters. */
    char c = s[0];
    if (!(is_digit(c) || c == '-' || c == '+' || c == '.'))
        return;
    if (match_int(s, n, sc))
        return;
    if (match_float(s, n, sc))
        return;
    sc->type = DN_VALUE_STRING;
}

dn_value *dn_yaml_resolve_plain(const char *text, size_t len, bool *overflow)
{
    scalar sc;
    classify(text, len, &sc);
    if (overflow)
        *overflow = sc.overflow;
    if (sc.overflow)
        return NULL;
    switch (sc.type) {
    case DN_VALUE_NULL:
        return dn_value_null();
    case DN_VALUE_BOOL:
        return dn_value_bool(sc.b);
    case DN_VALUE_INT:
        return dn_value_int(sc.i);
    case DN_VALUE_DOUBLE:
        return dn_value_double(sc.d);
    default:
        return dn_value_string_n(text, len);
    }
}

/* PyYAML resolves these plain texts to something other than a string although we keep them as
 * strings: timestamps (2001-12-14...), the value key `=`, the merge key `<<`. Quoting them keeps
 * our output readable by PyYAML. */
static bool pyyaml_only_special(const char *s, size_t n)
{
    if (text_is(s, n, "=") || text_is(s, n, "<<"))
        return true;
    if (n >= 8 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
        s[4] == '-' && is_digit(s[5]))
        return true;
    return false;
}

bool dn_yaml_plain_safe(const char *s, size_t n)
{
    scalar sc;
    classify(s, n, &sc);
    return sc.type == DN_VALUE_STRING && !sc.overflow && !pyyaml_only_special(s, n);
}
