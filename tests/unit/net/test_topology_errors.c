/* Topology: every bad projection dictionary is refused with a message naming the problem, the
 * mark (file:line:column) of the offending value and its tree path; and the accepted forms
 * (integers for decimals, defaults) parse to the right values. */
#include "test_topology_util.h"

#define BASE "network/projection_models/p/nest_params"

typedef struct bad_case {
    const char *yaml;
    const char *path; /* expected error path after BASE ("" = BASE itself) */
    const char *msg;  /* expected substring of the message */
    const char *at;   /* the mark must point at the first occurrence of this text (NULL: 1:1) */
} bad_case;

static const bad_case bad_cases[] = {
    /* the dictionary */
    {"{mask: {circular: {radius: 1.0}}}", "", "connection_type", NULL},
    {"{connection_type: convergant}", "/connection_type", "did you mean 'convergent'",
     "convergant"},
    {"{connection_type: 1}", "/connection_type", "convergent or divergent", "1}"},
    {"{connection_type: divergent, kernal: 0.5}", "/kernal", "did you mean 'kernel'", "kernal"},
    {"{connection_type: divergent, allow_autapses: 1}", "/allow_autapses", "true or false", "1}"},
    {"{connection_type: divergent, allow_multapses: 'no'}", "/allow_multapses", "true or false",
     "'no'"},
    {"{connection_type: divergent, allow_oversized_mask: null}", "/allow_oversized_mask",
     "true or false", "null"},
    {"{connection_type: divergent, number_of_connections: -1}", "/number_of_connections",
     "must be >= 0", "-1"},
    {"{connection_type: divergent, number_of_connections: 2.5}", "/number_of_connections",
     "whole number", "2.5"},
    {"{connection_type: divergent, synapse_model: [a]}", "/synapse_model", "synapse model name",
     "[a]"},
    {"{connection_type: divergent, sources: l1_exc}", "/sources", "{model: name}", "l1_exc"},
    {"{connection_type: divergent, targets: {modle: l1_exc}}", "/targets/modle",
     "did you mean 'model'", "modle"},
    {"{connection_type: divergent, targets: {model: 3}}", "/targets/model", "model name", "3}"},
    {"{connection_type: divergent, targets: {lid: 0}}", "/targets/lid", "from 1", "0}"},
    /* masks */
    {"{connection_type: divergent, mask: {circle: {radius: 1.0}}}", "/mask/circle",
     "did you mean 'circular'", "circle"},
    {"{connection_type: divergent, mask: {circular: {radus: 1.0}}}", "/mask/circular/radus",
     "did you mean 'radius'", "radus"},
    {"{connection_type: divergent, mask: {circular: {anchor: [0.0, 0.0]}}}", "/mask/circular",
     "needs `radius`", "{anchor"},
    {"{connection_type: divergent, mask: {circular: {radius: big}}}", "/mask/circular/radius",
     "expected a number", "big"},
    {"{connection_type: divergent, mask: {circular: {radius: -1.0}}}", "/mask/circular/radius",
     "positive", "-1.0"},
    {"{connection_type: divergent, mask: {circular: {radius: 1.0}, rectangular: {lower_left: "
     "[0.0, 0.0], upper_right: [1.0, 1.0]}}}",
     "/mask", "exactly one kind", "rectangular"},
    {"{connection_type: divergent, mask: {spherical: {radius: 1.0}}}", "/mask", "3-D", "spherical"},
    {"{connection_type: divergent, mask: {anchor: [0.0, 0.0]}}", "/mask", "kind", "{anchor"},
    {"{connection_type: divergent, mask: circular}", "/mask", "mapping", "circular"},
    {"{connection_type: divergent, mask: {doughnut: {inner_radius: 2.0, outer_radius: 2.0}}}",
     "/mask/doughnut/inner_radius", "smaller than outer_radius", "2.0,"},
    {"{connection_type: divergent, mask: {doughnut: {inner_radius: 3.0, outer_radius: 2.0}}}",
     "/mask/doughnut/inner_radius", "smaller than outer_radius", "3.0"},
    {"{connection_type: divergent, mask: {rectangular: {lower_left: [0.0, -1.0], upper_right: "
     "[1.0, -1.0]}}}",
     "/mask/rectangular/upper_right", "above and to the right", "[1.0, -1.0]"},
    {"{connection_type: divergent, mask: {rectangular: {lower_left: [2.0, 0.0], upper_right: "
     "[1.0, 1.0]}}}",
     "/mask/rectangular/upper_right", "above and to the right", "[1.0, 1.0]"},
    {"{connection_type: divergent, mask: {rectangular: {lower_left: [0.0, 0.0, 0.0], "
     "upper_right: [1.0, 1.0]}}}",
     "/mask/rectangular/lower_left", "two numbers", "[0.0, 0.0, 0.0]"},
    {"{connection_type: divergent, mask: {rectangular: {lower_left: [a, 0.0], upper_right: "
     "[1.0, 1.0]}}}",
     "/mask/rectangular/lower_left", "finite number", "a,"},
    {"{connection_type: divergent, mask: {elliptical: {major_axis: 1.0, minor_axis: 2.0}}}",
     "/mask/elliptical/major_axis", "must not be smaller", "1.0"},
    {"{connection_type: divergent, mask: {elliptical: {major_axis: 1.0, minor_axis: 0.0}}}",
     "/mask/elliptical/minor_axis", "positive", "0.0"},
    {"{connection_type: divergent, mask: {grid: {rows: 0, columns: 2}}}", "/mask/grid/rows",
     "rows >= 1", "0,"},
    {"{connection_type: divergent, mask: {grid: {rows: 2, columns: 2}, anchor: [0.0, 0.0]}}",
     "/mask/anchor", "mapping", "[0.0"},
    {"{connection_type: divergent, mask: {grid: {rows: 2, columns: 2}, anchor: {row: 0, colum: "
     "1}}}",
     "/mask/anchor/colum", "did you mean 'column'", "colum:"},
    {"{connection_type: divergent, mask: {circular: {radius: 1.0}, anchor: [0.0]}}", "/mask/anchor",
     "two numbers", "[0.0]"},
    /* kernels */
    {"{connection_type: divergent, kernel: {gauss: {sigma: 1.0}}}", "/kernel",
     "did you mean 'gaussian'", "gauss"},
    {"{connection_type: divergent, kernel: {gaussian: {sigma_x: 1.0}}}", "/kernel/gaussian/sigma_x",
     "did you mean 'sigma'", "sigma_x"},
    {"{connection_type: divergent, kernel: -0.1}", "/kernel", "must not be negative", "-0.1"},
    {"{connection_type: divergent, kernel: 1.5}", "/kernel", "reaches 1.5 > 1", "1.5"},
    {"{connection_type: divergent, kernel: {constant: {value: 2.0}}}", "/kernel", "> 1",
     "{constant"},
    {"{connection_type: divergent, kernel: {gaussian: {p_center: 0.8, c: 0.3, sigma: 1.0}}}",
     "/kernel", "> 1", "{gaussian"},
    {"{connection_type: divergent, kernel: {gaussian2D: {p_center: 1.2}}}", "/kernel", "> 1",
     "{gaussian2D"},
    {"{connection_type: divergent, kernel: {exponential: {a: 2.0, tau: 3.0}}}", "/kernel", "> 1",
     "{exponential"},
    {"{connection_type: divergent, kernel: {uniform: {min: 0.5, max: 1.5}}}", "/kernel", "> 1",
     "{uniform"},
    {"{connection_type: divergent, number_of_connections: 3, kernel: -1.0}", "/kernel",
     "must not be negative", "-1.0"},
    {"{connection_type: divergent, kernel: {gaussian: {sigma: 0.0}}}", "/kernel/gaussian/sigma",
     "positive", "0.0"},
    {"{connection_type: divergent, kernel: {gaussian2D: {sigma_y: -2.0}}}",
     "/kernel/gaussian2D/sigma_y", "positive", "-2.0"},
    {"{connection_type: divergent, kernel: {gaussian2D: {p_center: 0.5, rho: 1.0}}}",
     "/kernel/gaussian2D/rho", "|rho| < 1", "1.0}"},
    {"{connection_type: divergent, kernel: {gaussian2D: {p_center: 0.5, rho: -1.5}}}",
     "/kernel/gaussian2D/rho", "|rho| < 1", "-1.5"},
    {"{connection_type: divergent, kernel: {exponential: {a: 0.5, tau: 0.0}}}",
     "/kernel/exponential/tau", "positive", "0.0"},
    {"{connection_type: divergent, kernel: {gamma: {kappa: 0.0}}}", "/kernel/gamma/kappa",
     "positive", "0.0"},
    {"{connection_type: divergent, kernel: {gamma: {theta: -1.0}}}", "/kernel/gamma/theta",
     "positive", "-1.0"},
    {"{connection_type: divergent, kernel: {constant: {}}}", "/kernel/constant", "needs `value`",
     "{}"},
    {"{connection_type: divergent, kernel: {gaussian: {sigma: 1.0}, cutoff: 0.1}}", "/kernel",
     "inside the function's parameters", "cutoff"},
    {"{connection_type: divergent, kernel: [0.5]}", "/kernel", "a number or a mapping", "[0.5]"},
    {"{connection_type: divergent, kernel: true}", "/kernel", "a number or a mapping", "true"},
    {"{connection_type: divergent, kernel: {gaussian: {sigma: .nan}}}", "/kernel/gaussian/sigma",
     "nan", ".nan"},
    {"{connection_type: divergent, kernel: {linear: {a: .inf}}}", "/kernel/linear/a", "finite",
     ".inf"},
    /* weights */
    {"{connection_type: divergent, weights: mandatory}", "/weights", "placeholder 'mandatory'",
     "mandatory"},
    {"{connection_type: divergent, weights: {normal: {mean: 1.0, sigma: -0.5}}}",
     "/weights/normal/sigma", "positive", "-0.5"},
    {"{connection_type: divergent, weights: {uniform: {min: 2.0, max: 1.0}}}",
     "/weights/uniform/max", "min < max", "1.0}"},
    {"{connection_type: divergent, weights: {normal: {mean: 0.0, sigma: 1.0, min: 9.0}}}",
     "/weights/normal/min", "holds only", "9.0"},
    {"{connection_type: divergent, weights: {normal: {mean: 0.0, sigma: 1.0, min: 1.0, max: "
     "0.5}}}",
     "/weights/normal/max", "min < max", "0.5"},
    {"{connection_type: divergent, weights: {lognormal: {mu: 0.0, sigma: 0.0}}}",
     "/weights/lognormal/sigma", "positive", "0.0}"},
    {"{connection_type: divergent, weights: {lognormal: {mu: 0.0, sigma: 0.1, max: 0.01}}}",
     "/weights/lognormal/max", "holds only", "0.01"},
    /* delays */
    {"{connection_type: divergent, delays: 0.0}", "/delays", "positive", "0.0"},
    {"{connection_type: divergent, delays: -1}", "/delays", "positive", "-1"},
    {"{connection_type: divergent, delays: {constant: {value: 0.0}}}", "/delays", "positive",
     "{constant"},
    {"{connection_type: divergent, delays: {uniform: {min: -0.5, max: 2.0}}}",
     "/delays/uniform/min", "min >= 0", "-0.5"},
    {"{connection_type: divergent, delays: {normal: {mean: 2.0, sigma: 0.5}}}", "/delays/normal",
     "give `min` >= 0", "{normal"},
    {"{connection_type: divergent, delays: {normal: {mean: 2.0, sigma: 0.5, min: -0.1}}}",
     "/delays/normal/min", "min >= 0", "-0.1"},
    {"{connection_type: divergent, delays: {lognormal: {mu: 0.0, sigma: 0.5, min: -1.0}}}",
     "/delays/lognormal/min", "min >= 0", "-1.0"},
    /* block style: the mark is line and column of the value */
    {"connection_type: divergent\nmask:\n  circular:\n    radius: 1.0\nkernel:\n  gaussian:\n"
     "    p_center: 0.5\n    sigma: -3.0\n",
     "/kernel/gaussian/sigma", "positive", "-3.0"},
};

static void mark_of(const char *yaml, const char *at, int *line, int *column)
{
    *line = 1;
    *column = 1;
    if (at == NULL) {
        return;
    }
    const char *p = strstr(yaml, at);
    assert_non_null(p);
    for (const char *q = yaml; q < p; q++) {
        if (*q == '\n') {
            (*line)++;
            *column = 1;
        } else {
            (*column)++;
        }
    }
}

static void test_bad_inputs(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        dn_topo_spec spec;
        dn_error err;
        dn_error_clear(&err);
        dn_status st = tu_parse(c->yaml, &spec, &err);
        char path[600];
        snprintf(path, sizeof path, "%s%s", BASE, c->path);
        int line, column;
        mark_of(c->yaml, c->at, &line, &column);
        if (st != DN_EINPUT || strcmp(err.path, path) != 0 || strstr(err.message, c->msg) == NULL ||
            err.mark.line != line || err.mark.column != column || err.mark.file == NULL ||
            strcmp(err.mark.file, "<test>") != 0) {
            tu_print_error(&err);
            fail_msg("case %zu: %s\n  want status %d, path %s, mark %d:%d, message with '%s'", i,
                     c->yaml, (int)DN_EINPUT, path, line, column, c->msg);
        }
    }
}

static void test_parse_accepts(void **state)
{
    (void)state;
    /* decisions.md: integers where decimals are expected, integral decimals for integers */
    dn_topo_spec s = tu_spec("{connection_type: convergent, mask: {circular: {radius: 2}}, "
                             "kernel: 1, weights: 2, delays: 1, number_of_connections: 4.0, "
                             "synapse_model: AMPA_syn, sources: {model: l1_exc}, targets: "
                             "{model: l1_inh}}");
    assert_int_equal(s.type, DN_TOPO_CONVERGENT);
    assert_true(s.has_mask && s.mask.kind == DN_TOPO_MASK_CIRCULAR && s.mask.radius == 2.0);
    assert_true(s.has_kernel && s.kernel.func == DN_TOPO_CONSTANT && s.kernel.value == 1.0);
    assert_true(s.has_weights && s.weights.value == 2.0);
    assert_true(s.has_delays && s.delays.value == 1.0);
    assert_int_equal(s.number_of_connections, 4);
    assert_true(s.allow_autapses && s.allow_multapses && !s.allow_oversized_mask);
    assert_string_equal(s.path, BASE);

    /* the deNEST example's projection (denest.md §4.4) */
    s = tu_spec("allow_autapses: false\nallow_multapses: false\nallow_oversized_mask: true\n"
                "connection_type: divergent\nsynapse_model: AMPA_syn\n"
                "mask: {circular: {radius: 12.0}}\n"
                "kernel: {gaussian: {p_center: 0.05, sigma: 7.5}}\nweights: 1.0\n"
                "delays: {uniform: {min: 1.75, max: 2.25}}\n"
                "sources: {model: l1_exc}\ntargets: {model: l1_exc}\n");
    assert_int_equal(s.type, DN_TOPO_DIVERGENT);
    assert_true(!s.allow_autapses && !s.allow_multapses && s.allow_oversized_mask);
    assert_int_equal(s.number_of_connections, -1);
    assert_true(s.kernel.func == DN_TOPO_GAUSSIAN && s.kernel.p_center == 0.05 &&
                s.kernel.sigma == 7.5 && s.kernel.mean == 0.0 && s.kernel.c == 0.0);
    assert_true(s.delays.func == DN_TOPO_UNIFORM && s.delays.min == 1.75 && s.delays.max == 2.25);
    assert_int_equal(s.kernel.mark.line, 7);
    assert_int_equal(s.kernel.mark.column, 9);

    /* defaults of every function (§7.5) */
    s = tu_spec("{connection_type: divergent, kernel: {gaussian2D: {}}, weights: {exponential: "
                "}, delays: {normal: {min: 0.5}}}");
    assert_true(s.kernel.p_center == 1.0 && s.kernel.sigma_x == 1.0 && s.kernel.sigma_y == 1.0 &&
                s.kernel.rho == 0.0 && s.kernel.mean_x == 0.0 && s.kernel.c == 0.0);
    assert_true(s.weights.a == 1.0 && s.weights.c == 0.0 && s.weights.tau == 1.0);
    assert_true(s.delays.mean == 0.0 && s.delays.sigma == 1.0 && s.delays.min == 0.5 &&
                isinf(s.delays.max));
    assert_true(isinf(s.kernel.cutoff) && s.kernel.cutoff < 0);
    s = tu_spec("{connection_type: divergent, kernel: {gamma: {}}, weights: {uniform: {}}, "
                "delays: {lognormal: {}}}");
    assert_true(s.kernel.kappa == 1.0 && s.kernel.theta == 1.0);
    assert_true(s.weights.min == 0.0 && s.weights.max == 1.0);
    assert_true(s.delays.mu == 0.0 && s.delays.sigma == 1.0 && s.delays.min == 0.0);
    /* masks with their optional parts */
    s = tu_spec("{connection_type: divergent, mask: {elliptical: {major_axis: 4, minor_axis: 2, "
                "azimuth_angle: 30, anchor: [1, 2]}, anchor: [0.5, -0.5]}}");
    assert_true(s.mask.kind == DN_TOPO_MASK_ELLIPTICAL && s.mask.major_axis == 4.0 &&
                s.mask.azimuth_angle == 30.0 && s.mask.center[1] == 2.0 &&
                s.mask.anchor[0] == 0.5 && s.mask.anchor[1] == -0.5);
    s = tu_spec("{connection_type: divergent, mask: {grid: {rows: 3, columns: 2}, anchor: "
                "{row: 1, column: 1}}}");
    assert_true(s.mask.kind == DN_TOPO_MASK_GRID && s.mask.grid_rows == 3 &&
                s.mask.grid_columns == 2 && s.mask.anchor_row == 1 && s.mask.anchor_column == 1);
    /* with number_of_connections the kernel is a relative weight: > 1 is fine there */
    s = tu_spec("{connection_type: divergent, number_of_connections: 2, kernel: 3.0}");
    assert_true(s.kernel.value == 3.0);
    /* a kernel cut to 0 everywhere is a valid probability */
    s = tu_spec("{connection_type: divergent, kernel: {constant: {value: 2.0, cutoff: 5.0}}}");
    assert_true(s.kernel.cutoff == 5.0);
}

static void test_param_values(void **state)
{
    (void)state;
    /* §7.5 functions at a displacement d (anchor subtracted first; cutoff zeroes below it) */
    double d[2] = {3.0, 4.0}; /* r = 5 */
    dn_topo_spec s = tu_spec("{connection_type: divergent, kernel: {linear: {a: -0.1, c: 0.9}}, "
                             "weights: {exponential: {a: 2.0, c: 0.5, tau: 2.5}}, delays: "
                             "{gaussian: {p_center: 3.0, mean: 1.0, sigma: 2.0, c: 0.25}}}");
    assert_double_equal(dn_topo_param_value(&s.kernel, d, NULL), 0.4, 1e-15);
    assert_double_equal(dn_topo_param_value(&s.weights, d, NULL), 0.5 + 2.0 * exp(-2.0), 1e-15);
    assert_double_equal(dn_topo_param_value(&s.delays, d, NULL), 0.25 + 3.0 * exp(-2.0), 1e-15);
    s = tu_spec("{connection_type: divergent, kernel: {gaussian2D: {p_center: 0.5, mean_x: 1.0, "
                "mean_y: -1.0, sigma_x: 2.0, sigma_y: 3.0, rho: 0.5, c: 0.1}}, weights: {gamma: "
                "{kappa: 2.0, theta: 1.5}}, delays: {linear: {a: 1.0, anchor: [3.0, 0.0]}}}");
    double u = (3.0 - 1.0) / 2.0, v = (4.0 + 1.0) / 3.0;
    double want = 0.1 + 0.5 * exp(-(u * u + v * v - 2 * 0.5 * u * v) / (2 * (1 - 0.25)));
    assert_double_equal(dn_topo_param_value(&s.kernel, d, NULL), want, 1e-15);
    assert_double_equal(dn_topo_param_value(&s.weights, d, NULL),
                        5.0 * exp(-5.0 / 1.5) / (1.5 * 1.5 * 1.0), 1e-15);
    assert_double_equal(dn_topo_param_value(&s.delays, d, NULL), 4.0, 1e-15); /* |(0, 4)| */
    s = tu_spec("{connection_type: divergent, kernel: {gaussian: {p_center: 1.0, sigma: 1.0, "
                "cutoff: 0.5}}}");
    assert_double_equal(dn_topo_param_value(&s.kernel, (double[]){0.5, 0.0}, NULL), exp(-0.125),
                        1e-15);
    assert_true(dn_topo_param_value(&s.kernel, (double[]){2.0, 0.0}, NULL) == 0.0);
    assert_false(dn_topo_param_is_random(&s.kernel));
    dn_topo_param c = dn_topo_param_constant(0.25);
    assert_true(dn_topo_param_value(&c, d, NULL) == 0.25);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_parse_accepts),
        cmocka_unit_test(test_param_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
