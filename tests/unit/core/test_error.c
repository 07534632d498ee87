/* Error records, interned strings and suggestions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/error.h"
#include "denest/strfmt.h"
#include "denest/suggest.h"

static void test_format_full(void **state)
{
    (void)state;
    dn_error err;
    dn_mark mark = {dn_intern("a.yml"), 3, 7};
    assert_int_equal(dn_error_set(&err, DN_EINPUT, &mark, "network/layers", "bad %s", "thing"),
                     DN_EINPUT);
    char buf[256];
    dn_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "a.yml:3:7: network/layers: bad thing");
    dn_error_prefix(&err, "while x: ");
    dn_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "a.yml:3:7: network/layers: while x: bad thing");
}

static void test_format_partial(void **state)
{
    (void)state;
    dn_error err;
    dn_error_set(&err, DN_ERUNTIME, NULL, NULL, "disk full");
    char buf[64];
    dn_error_format(&err, buf, sizeof buf);
    assert_string_equal(buf, "disk full");
    /* Truncation never overflows. */
    char small[8];
    dn_error_format(&err, small, sizeof small);
    assert_int_equal(strlen(small), 7);
}

static void test_intern(void **state)
{
    (void)state;
    char tmp[16] = "file.yml";
    const char *a = dn_intern(tmp);
    tmp[0] = 'x';
    const char *b = dn_intern("file.yml");
    assert_ptr_equal(a, b);
    assert_string_equal(a, "file.yml");
    for (int i = 0; i < 500; i++) {
        char name[32];
        snprintf(name, sizeof name, "f%d", i);
        assert_string_equal(dn_intern(name), name);
    }
    assert_ptr_equal(dn_intern("file.yml"), a);
}

static void test_suggest(void **state)
{
    (void)state;
    const char *const keys[] = {"populations", "type", "add_parrots"};
    assert_string_equal(dn_suggest("population", keys, 3), "populations");
    assert_string_equal(dn_suggest("add_parrot", keys, 3), "add_parrots");
    assert_string_equal(dn_suggest("tpye", keys, 3), "type");
    assert_null(dn_suggest("completely_unrelated", keys, 3));
    assert_int_equal(dn_edit_distance("kitten", "sitting"), 3);
    assert_int_equal(dn_edit_distance("", "abc"), 3);
}

static void test_strfmt(void **state)
{
    (void)state;
    char *s = dn_strfmt("%s-%03d", "gid", 7);
    assert_string_equal(s, "gid-007");
    free(s);
    char big[3000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    s = dn_strfmt("<%s>", big); /* longer than any fixed buffer */
    assert_int_equal(strlen(s), sizeof big + 1);
    assert_int_equal(s[0], '<');
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_full),
        cmocka_unit_test(test_format_partial),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_suggest),
        cmocka_unit_test(test_strfmt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
