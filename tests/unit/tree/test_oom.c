/* Out of memory: every allocation made while loading, merging, printing and writing trees is made
 * to fail in turn (malloc/calloc/realloc are replaced here and counted); each run must end in
 * DN_OK or DN_ENOMEM, never crash, and free everything it allocated. Skipped under sanitizers,
 * which own malloc. */
#include "tree_test.h"

#include <errno.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define DN_NO_INTERPOSE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DN_NO_INTERPOSE 1
#endif
#endif

#ifndef DN_NO_INTERPOSE
/* glibc's own allocator under its exported internal names. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static long alloc_count; /* allocations so far in this run */
static long fail_at;     /* fail allocation number fail_at (1-based); 0 = never */
static long live;        /* allocations not yet freed */
static bool counting;

static bool should_fail(void)
{
    if (!counting || ++alloc_count != fail_at)
        return false;
    errno = ENOMEM; /* as the real allocator does */
    return true;
}

void *malloc(size_t size);
void *calloc(size_t n, size_t size);
void *realloc(void *p, size_t size);
void free(void *p);

void *malloc(size_t size)
{
    if (should_fail())
        return NULL;
    void *p = __libc_malloc(size);
    if (p && counting)
        live++;
    return p;
}

void *calloc(size_t n, size_t size)
{
    if (should_fail())
        return NULL;
    void *p = __libc_calloc(n, size);
    if (p && counting)
        live++;
    return p;
}

void *realloc(void *p, size_t size)
{
    if (should_fail())
        return NULL;
    void *q = __libc_realloc(p, size);
    if (q && !p && counting)
        live++;
    return q;
}

void free(void *p)
{
    if (p && counting)
        live--;
    __libc_free(p);
}

static char out_path[256];

/* Everything the tree layer does, stopping at the first failure. */
static dn_status workload(void)
{
    char path[512];
    dn_error err;
    dn_tree *t = NULL, *o = NULL, *m = NULL, *c = NULL;
    dn_value *v = NULL, *w = NULL, *eff = NULL;
    char *s = NULL;
    const dn_tree **leaves = NULL;
    size_t n;
    dn_status st = dn_tree_from_assignment("network.params.extra=[1, {a: b}]", &o, &err);
    if (st == DN_OK) {
        const dn_tree *ov[1] = {o};
        st = dn_tree_load(data_path("tree/paths/sub/tree_paths.yml", path, sizeof path), ov, 1, &t,
                          &err);
    }
    if (st == DN_OK)
        st = dn_tree_repr(t, &s, &err);
    if (st == DN_OK) {
        free(s);
        s = NULL;
        st = dn_tree_leaves(t, true, &leaves, &n, &err);
    }
    if (st == DN_OK)
        st = dn_tree_effective(leaves[n - 1], DN_NEST_PARAMS, &eff, &err);
    if (st == DN_OK)
        st = dn_tree_check_unique_leaves(dn_tree_child(t, "network"), &err);
    if (st == DN_OK) {
        const dn_tree *two[2] = {t, o};
        st = dn_tree_merge(two, 2, &m, &err);
    }
    if (st == DN_OK && !(c = dn_tree_copy(m)))
        st = DN_ENOMEM;
    if (st == DN_OK)
        st = dn_tree_write(c, out_path, &err);
    if (st == DN_OK)
        st = dn_yaml_load_file(out_path, &v, &err);
    const char *text = "a: &x {b: [1, 2]}\nc: *x\nd: {<<: *x, e: 1.5e3}\n";
    if (st == DN_OK)
        st = dn_yaml_load_string(text, strlen(text), "<oom>", &w, &err);
    if (st == DN_OK && !(s = dn_value_repr(w)))
        st = DN_ENOMEM;
    if (st != DN_OK && st != DN_ENOMEM)
        fail_msg("status %d instead of DN_ENOMEM: %s", st, err.message);
    free(s);
    free(leaves);
    dn_value_free(eff);
    dn_value_free(v);
    dn_value_free(w);
    dn_tree_free(c);
    dn_tree_free(m);
    dn_tree_free(t);
    dn_tree_free(o);
    return st;
}

static void test_every_allocation_fails_once(void **state)
{
    (void)state;
    snprintf(out_path, sizeof out_path, "/tmp/dn_oom_%d.yml", (int)getpid());
    /* Warm up: interned file names and stdio's one-time allocations stay for good. */
    assert_int_equal(workload(), DN_OK);
    counting = true;
    alloc_count = 0;
    fail_at = 0;
    live = 0;
    assert_int_equal(workload(), DN_OK);
    long total = alloc_count;
    assert_int_equal(live, 0);
    assert_true(total > 500);
    long failures = 0;
    for (long k = 1; k <= total; k++) {
        alloc_count = 0;
        live = 0;
        fail_at = k;
        dn_status st = workload();
        failures += st == DN_ENOMEM;
        if (live != 0)
            fail_msg("failing allocation %ld of %ld leaked %ld blocks", k, total, live);
    }
    counting = false;
    print_message("%ld allocations, each failed once: %ld runs reported DN_ENOMEM\n", total,
                  failures);
    assert_true(failures > total / 2);
    unlink(out_path);
}
#else
static void test_every_allocation_fails_once(void **state)
{
    (void)state;
    skip();
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation_fails_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
