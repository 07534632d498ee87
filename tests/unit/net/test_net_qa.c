/* Regressions found by end-to-end QA of the network builder: recorder labels are file names
 * (no '/', not too long, unique), long leaf names are kept whole, population-recorder colnames
 * follow every with* flag, and an InputLayer of current generators is refused where it is
 * written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "denest/engine.h"
#include "denest/net.h"
#include "net_test_support.h"

/* Build `text` on a 1-thread engine at 0.1 ms; returns the status, *net on success. */
static dn_status build_text(const char *text, dn_engine **e, dn_net **net, dn_error *err)
{
    dn_tree *t = net_tree_from_text(text);
    assert_non_null(t);
    assert_int_equal(dn_engine_new(e, err), DN_OK);
    dn_value *ks = dn_value_map();
    assert_int_equal(dn_value_map_set(ks, "resolution", dn_value_double(0.1)), DN_OK);
    assert_int_equal(dn_engine_set_kernel_status(*e, ks, err), DN_OK);
    dn_value_free(ks);
    dn_error_clear(err);
    dn_net_options opt = {.seed = 1, .threads = 1};
    *net = NULL;
    dn_status st = dn_net_build(dn_tree_child(t, "network"), *e, &opt, net, err);
    dn_tree_free(t);
    return st;
}

/* Expect an input error whose message holds `fragment`, marked at line `line` of net.yml. */
static void expect_error(char *text, const char *fragment, int line)
{
    assert_non_null(text);
    dn_engine *e = NULL;
    dn_net *net = NULL;
    dn_error err;
    dn_status st = build_text(text, &e, &net, &err);
    if (st != DN_EINPUT || !strstr(err.message, fragment) || err.mark.line != line)
        net_print_error(&err);
    assert_int_equal(st, DN_EINPUT);
    assert_null(net);
    assert_non_null(strstr(err.message, fragment));
    assert_int_equal(err.mark.line, line);
    dn_engine_free(e);
    free(text);
}

static void test_label_rules(void **state)
{
    (void)state;
    /* '/' in the recorder model's name: the label `../x_lx_exc` would leave data/ */
    char *a = net_variant("SD", "    \"../x\": {params: {nest_model: spike_detector}}");
    expect_error(net_variant_of(a, "R0", "      - {model: \"../x\", layers: [lx], populations: "
                                         "[exc]}  # R0"),
                 "recorder label `../x_lx_exc` contains '/'", 36);
    free(a);
    /* 300 characters: kept whole (it used to be cut at 255 and then "unknown"), refused as a
     * file name */
    char longname[301];
    memset(longname, 'm', 300);
    longname[300] = '\0';
    char line[512];
    snprintf(line, sizeof line, "    %s: {params: {nest_model: spike_detector}}", longname);
    a = net_variant("SD", line);
    snprintf(line, sizeof line, "      - {model: %s, layers: [lx], populations: [exc]}", longname);
    expect_error(net_variant_of(a, "R0", line), "is too long for a file name", 36);
    free(a);
    /* two recorders with one label: layer `lx` population `a_exc` vs layer `lx_a` population
     * `exc` both give `my_sd_lx_a_exc` */
    a = net_variant("LX", "      params: {populations: {exc: 3, inh: 2, a_exc: 1}}\n"
                          "    lx_a:\n"
                          "      params: {populations: {exc: 1}}");
    char *b = net_variant_of(a, "EXC", "      exc: {nest_params: {V_m: -70.0}}\n"
                                       "      a_exc: {}");
    expect_error(b ? strdup(b) : NULL, "two recorders have the label `my_sd_lx_a_exc`", 39);
    free(a);
    free(b);
}

/* withport / withrport / withtargetgid / withweight add columns to population recorders' files;
 * colnames must name them in the file's order (kernel spec 8.7). */
static void test_colnames_follow_flags(void **state)
{
    (void)state;
    char *text = net_variant("MM", "    my_mm: {params: {nest_model: multimeter}, nest_params: "
                                   "{record_from: [V_m], withport: true, withrport: true, "
                                   "withtargetgid: true, withweight: true}}");
    dn_engine *e = NULL;
    dn_net *net = NULL;
    dn_error err;
    dn_status st = build_text(text, &e, &net, &err);
    if (st != DN_OK)
        net_print_error(&err);
    assert_int_equal(st, DN_OK);
    const dn_net_recorder *mm = dn_net_find_recorder(net, "my_mm_lx_exc");
    assert_non_null(mm);
    const dn_value *cn = dn_value_map_get(mm->metadata, "colnames");
    const char *want[] = {"gid", "target", "port", "rport", "time", "weight", "V_m"};
    assert_int_equal(dn_value_len(cn), 7);
    for (size_t i = 0; i < 7; i++)
        assert_string_equal(dn_value_str(dn_value_list_at(cn, i)), want[i]);
    const dn_net_recorder *sd = dn_net_find_recorder(net, "my_sd_lx_exc");
    cn = dn_value_map_get(sd->metadata, "colnames");
    assert_int_equal(dn_value_len(cn), 2); /* defaults: gid, time */
    dn_net_free(net);
    dn_engine_free(e);
    free(text);
}

/* parrots relay spikes only: a dc_generator InputLayer is an error at its populations. */
static void test_current_generator_input_layer(void **state)
{
    (void)state;
    expect_error(net_variant("INP", "      params: {type: InputLayer, populations: "
                                    "{dc_generator: 1}}"),
                 "needs a spike-emitting generator", 19);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_rules),
        cmocka_unit_test(test_colnames_follow_flags),
        cmocka_unit_test(test_current_generator_input_layer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
