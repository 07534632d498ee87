/* Topology: layer geometry bit for bit (kernel spec §7.1), periodic displacement (§7.3), NEST's
 * connection counts (§7.4, §11, tests/data/topology/nest_counts.yml), the mask kinds, the fixed
 * fan-in/fan-out rules (§7.6 with the decisions.md fixes), determinism and the spatial index
 * against a brute-force scan. */
#include "test_topology_util.h"

/* ---- geometry ------------------------------------------------------------------------------- */

static void test_grid_positions_bit_exact(void **state)
{
    (void)state;
    tu_net net = tu_grid(5, 5, 1.0, 1.0, false, 2, 1);
    /* NEST's GetPosition values on a 5x5 layer of extent 1 (§7.1, §11) */
    const double xs[5] = {-0.4, -0.19999999999999998, 2.7755575615628914e-17, 0.2000000000000001,
                          0.4};
    const double ys[5] = {0.4, 0.19999999999999998, -2.7755575615628914e-17, -0.2000000000000001,
                          -0.4};
    for (int c = 0; c < 5; c++) {
        for (int r = 0; r < 5; r++) {
            size_t loc = dn_topo_grid_index(&net.layer, r, c);
            assert_int_equal(loc, (size_t)(c * 5 + r));
            /* GID of location (c, r) = L + 1 + c·5 + r with the layer at L = 1 */
            assert_int_equal(net.gids[loc], 2 + c * 5 + r);
            double p[2];
            dn_topo_layer_position(&net.layer, loc, p);
            assert_true(p[0] == xs[c]);
            assert_true(p[1] == ys[r]); /* row 0 at the top */
        }
    }
    tu_net_free(&net);

    /* The textbook form ll + (c + 0.5)·dx differs in the last bit for 21 of the 25 nodes of a
     * 5x5 grid of extent 8 (§7.1); ours must be NEST's order, not the textbook one. */
    net = tu_grid(5, 5, 8.0, 8.0, false, 1, 1);
    int differ = 0;
    for (size_t loc = 0; loc < 25; loc++) {
        double p[2];
        dn_topo_layer_position(&net.layer, loc, p);
        double c = (double)(loc / 5), r = (double)(loc % 5);
        double xt = -4.0 + (c + 0.5) * 1.6, yt = 4.0 - (r + 0.5) * 1.6;
        differ += p[0] != xt || p[1] != yt;
        assert_true(fabs(p[0] - xt) < 1e-14 && fabs(p[1] - yt) < 1e-14);
    }
    assert_int_equal(differ, 21);
    tu_net_free(&net);

    /* non-square, off-centre: corners of a 3-row, 4-column grid of extent [2, 3] at (1, -1) */
    dn_topo_layer L;
    dn_error err;
    assert_int_equal(
        dn_topo_layer_grid(&L, 3, 4, (double[]){2.0, 3.0}, (double[]){1.0, -1.0}, false, &err),
        DN_OK);
    assert_int_equal(dn_topo_layer_size(&L), 12);
    double p[2];
    dn_topo_layer_position(&L, 0, p); /* column 0, row 0: top left */
    assert_double_equal(p[0], 0.25, 1e-15);
    assert_double_equal(p[1], 0.0, 1e-15);
    dn_topo_layer_position(&L, 11, p); /* column 3, row 2: bottom right */
    assert_double_equal(p[0], 1.75, 1e-15);
    assert_double_equal(p[1], -2.0, 1e-15);
    dn_topo_layer_clear(&L);
}

static void test_free_layer(void **state)
{
    (void)state;
    dn_topo_layer L;
    dn_error err;
    double xy[] = {-0.5, -0.5, 0.49, 0.2, 0.0, 0.0};
    assert_int_equal(dn_topo_layer_free_positions(&L, xy, 3, (double[]){1.0, 1.0},
                                                  (double[]){0.0, 0.0}, false, &err),
                     DN_OK);
    assert_int_equal(dn_topo_layer_size(&L), 3);
    double p[2];
    dn_topo_layer_position(&L, 1, p);
    assert_true(p[0] == 0.49 && p[1] == 0.2);
    dn_topo_layer_clear(&L);
    /* half-open bounds: the upper edge is outside */
    double edge[] = {0.5, 0.0};
    assert_int_equal(dn_topo_layer_free_positions(&L, edge, 1, (double[]){1.0, 1.0},
                                                  (double[]){0.0, 0.0}, false, &err),
                     DN_EINPUT);
    assert_non_null(strstr(err.message, "Node position outside of layer"));
    /* positions are not shifted by center */
    double shifted[] = {0.0, 0.0};
    assert_int_equal(dn_topo_layer_free_positions(&L, shifted, 1, (double[]){1.0, 1.0},
                                                  (double[]){2.0, 2.0}, false, &err),
                     DN_EINPUT);
}

static dn_status parse_layer(const char *yaml, dn_topo_layer *L, dn_error *err)
{
    dn_value *v = NULL;
    assert_int_equal(dn_yaml_load_string(yaml, strlen(yaml), "layer.yml", &v, err), DN_OK);
    dn_status st = dn_topo_layer_parse(v, "network/layers/l1/nest_params", L, err);
    dn_value_free(v);
    return st;
}

static void test_layer_parse(void **state)
{
    (void)state;
    dn_topo_layer L;
    dn_error err;
    /* decisions.md: integers for decimals, integral decimals for integers */
    assert_int_equal(
        parse_layer("{rows: 5.0, columns: 4, extent: [8, 8], edge_wrap: true}", &L, &err), DN_OK);
    assert_int_equal(L.rows, 5);
    assert_int_equal(L.columns, 4);
    assert_true(L.extent[0] == 8.0 && L.edge_wrap);
    assert_true(L.center[0] == 0.0 && L.center[1] == 0.0);
    dn_topo_layer_clear(&L);
    assert_int_equal(parse_layer("{positions: [[0.1, 0.1], [-0.2, 0.3]]}", &L, &err), DN_OK);
    assert_int_equal(dn_topo_layer_size(&L), 2);
    dn_topo_layer_clear(&L);

    struct {
        const char *yaml, *path, *msg;
        int line, column;
    } bad[] = {
        {"{rows: 5.5, columns: 4}", "network/layers/l1/nest_params/rows", "integer", 1, 8},
        {"{rows: 5, columns: 4, extend: [1.0, 1.0]}", "network/layers/l1/nest_params/extend",
         "did you mean 'extent'", 1, 23},
        {"{rows: 5, columns: 4, elements: [a]}", "network/layers/l1/nest_params/elements",
         "reserved", 1, 23},
        {"{rows: 5, columns: 4, extent: [0.0, 1.0]}", "network/layers/l1/nest_params/extent",
         "positive", 1, 31},
        {"{rows: 5, columns: 4, extent: [1.0, 1.0, 1.0]}", "network/layers/l1/nest_params/extent",
         "two numbers", 1, 31},
        {"{rows: 0, columns: 4}", "network/layers/l1/nest_params/rows", "at least 1", 1, 8},
        {"{rows: 5}", "network/layers/l1/nest_params", "columns", 1, 1},
        {"{rows: 5, columns: 4, edge_wrap: 1}", "network/layers/l1/nest_params/edge_wrap",
         "true or false", 1, 34},
        {"{rows: 2, columns: 2, positions: [[0.0, 0.0]]}", "network/layers/l1/nest_params",
         "not both", 1, 8},
        {"{positions: [[0.0, 0.0], [0.7, 0.0]]}", "network/layers/l1/nest_params/positions",
         "outside of layer", 1, 13},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        dn_error_clear(&err);
        assert_int_equal(parse_layer(bad[i].yaml, &L, &err), DN_EINPUT);
        if (strcmp(err.path, bad[i].path) != 0 || strstr(err.message, bad[i].msg) == NULL ||
            err.mark.line != bad[i].line || err.mark.column != bad[i].column) {
            tu_print_error(&err);
            fail_msg("case %zu (%s)", i, bad[i].yaml);
        }
        assert_string_equal(err.mark.file, "layer.yml");
        dn_topo_layer_clear(&L);
    }
}

static void test_displacement(void **state)
{
    (void)state;
    tu_net net = tu_grid(5, 5, 5.0, 5.0, true, 1, 1);
    double d[2];
    dn_topo_displacement(&net.layer, (double[]){-2.0, 0.0}, (double[]){2.0, 0.0}, d);
    assert_double_equal(d[0], -1.0, 1e-15);
    assert_double_equal(d[1], 0.0, 1e-15);
    /* exactly half the extent folds to -L/2: the interval is [-L/2, L/2) */
    dn_topo_displacement(&net.layer, (double[]){-1.25, 0.0}, (double[]){1.25, 1.0}, d);
    assert_double_equal(d[0], -2.5, 1e-15);
    assert_double_equal(d[1], 1.0, 1e-15);
    tu_net_free(&net);
    net = tu_grid(5, 5, 5.0, 5.0, false, 1, 1);
    dn_topo_displacement(&net.layer, (double[]){-2.0, 0.0}, (double[]){2.0, 0.0}, d);
    assert_double_equal(d[0], 4.0, 1e-15);
    tu_net_free(&net);
}

/* ---- NEST's counts -------------------------------------------------------------------------- */

static void test_nest_counts(void **state)
{
    (void)state;
    dn_value *doc = NULL;
    dn_error err;
    dn_status st = dn_yaml_load_file(DN_TEST_DATA "/topology/nest_counts.yml", &doc, &err);
    if (st != DN_OK) {
        tu_print_error(&err);
    }
    assert_int_equal(st, DN_OK);
    const dn_value *cases = dn_value_map_get(doc, "cases");
    assert_true(dn_value_len(cases) >= 10);
    for (size_t i = 0; i < dn_value_len(cases); i++) {
        const dn_value *c = dn_value_list_at(cases, i);
        const char *name = dn_value_str(dn_value_map_get(c, "name"));
        tu_net net = {0};
        assert_int_equal(
            dn_topo_layer_parse(dn_value_map_get(c, "layer"), "layer", &net.layer, &err), DN_OK);
        tu_nodes(&net, 1, 1);
        const char *types[2] = {"convergent", "divergent"};
        for (int t = 0; t < 2; t++) {
            dn_value *np = dn_value_copy(dn_value_map_get(c, "nest_params"));
            assert_non_null(np);
            assert_int_equal(dn_value_map_set(np, "connection_type", dn_value_string(types[t])),
                             DN_OK);
            dn_topo_spec spec;
            assert_int_equal(dn_topo_spec_parse(np, "case", &spec, &err), DN_OK);
            dn_value_free(np);
            for (int threads = 1; threads <= 2; threads++) {
                dn_topo_rows rows = {0};
                assert_int_equal(tu_connect_ex(&spec, &net, &net, 3, 1, threads, &rows, &err),
                                 DN_OK);
                int64_t want, aut;
                assert_true(dn_value_get_int(dn_value_map_get(c, types[t]), &want));
                if ((int64_t)rows.len != want) {
                    fail_msg("%s, %s: %zu connections, NEST made %lld", name, types[t], rows.len,
                             (long long)want);
                }
                const dn_value *va = dn_value_map_get(c, "autapses");
                if (va != NULL) {
                    assert_true(dn_value_get_int(va, &aut));
                    assert_int_equal(tu_autapses(&rows), aut);
                }
                dn_topo_rows_free(&rows);
            }
        }
        tu_net_free(&net);
    }
    dn_value_free(doc);
}

static void test_circle_third(void **state)
{
    (void)state;
    /* §7.4: radius 1/3 on a 3x3 layer of extent 1 gives 21 in NEST (last-bit positions) */
    tu_net net = tu_grid(3, 3, 1.0, 1.0, false, 1, 1);
    for (int t = 0; t < 2; t++) {
        dn_topo_spec spec = tu_spec("{connection_type: %s, mask: {circular: {radius: %.17g}}}",
                                    t ? "divergent" : "convergent", 1.0 / 3.0);
        assert_true(spec.mask.radius == 1.0 / 3.0);
        dn_topo_rows rows = tu_connect(&spec, &net, &net, 1);
        assert_int_equal(rows.len, 21);
        dn_topo_rows_free(&rows);
    }
    tu_net_free(&net);
}

/* The tutorial's layers and projections (denest.md Appendix B) on 5x5: 13 targets per source
 * location, 6500 topological connections. */
static void test_tutorial(void **state)
{
    (void)state;
    /* input_layer 1: generators 2-26, parrots 27-51; l1 52: l1_exc 53-152, l1_inh 153-202 */
    tu_net parrots = tu_grid(5, 5, 5.0, 5.0, true, 27, 1);
    tu_net exc = tu_grid(5, 5, 5.0, 5.0, true, 53, 4);
    tu_net inh = tu_grid(5, 5, 5.0, 5.0, true, 153, 2);
    dn_topo_spec ampa = tu_spec("{connection_type: divergent, synapse_model: my_AMPA_synapse, "
                                "mask: {circular: {radius: 2.0}}, kernel: 1.0, weights: 1.0}");
    dn_topo_spec gaba = tu_spec("{connection_type: divergent, synapse_model: my_GABAA_synapse, "
                                "mask: {circular: {radius: 2.0}}, kernel: 1.0, weights: 2.0}");
    dn_topo_rows r1 = tu_connect(&ampa, &parrots, &exc, 10);
    dn_topo_rows r2 = tu_connect(&ampa, &exc, &inh, 10);
    dn_topo_rows r3 = tu_connect(&gaba, &inh, &exc, 10);
    assert_int_equal(r1.len, 1300);
    assert_int_equal(r2.len, 2600);
    assert_int_equal(r3.len, 2600);
    /* every parrot reaches 13 locations x 4 l1_exc units */
    unsigned out[26] = {0};
    for (size_t i = 0; i < r1.len; i++) {
        assert_true(r1.items[i].source >= 27 && r1.items[i].source <= 51);
        assert_true(r1.items[i].target >= 53 && r1.items[i].target <= 152);
        assert_true(r1.items[i].weight == 1.0 && r1.items[i].delay == 1.0);
        out[r1.items[i].source - 27]++;
    }
    for (int k = 0; k < 25; k++) {
        assert_int_equal(out[k], 52);
    }
    for (size_t i = 0; i < r3.len; i++) {
        assert_true(r3.items[i].weight == 2.0);
    }
    dn_topo_rows_free(&r1);
    dn_topo_rows_free(&r2);
    dn_topo_rows_free(&r3);
    tu_net_free(&parrots);
    tu_net_free(&exc);
    tu_net_free(&inh);
}

/* ---- mask kinds ----------------------------------------------------------------------------- */

static size_t count(const char *mask, const char *type, const tu_net *net)
{
    dn_topo_spec spec = tu_spec("{connection_type: %s, mask: %s}", type, mask);
    dn_topo_rows rows = tu_connect(&spec, net, net, 1);
    size_t n = rows.len;
    dn_topo_rows_free(&rows);
    return n;
}

static void test_mask_kinds(void **state)
{
    (void)state;
    /* unit spacing, no wrap; boundaries at half-integers so no ties decide */
    tu_net net = tu_grid(9, 9, 9.0, 9.0, false, 1, 1);
    for (int t = 0; t < 2; t++) {
        const char *ty = t ? "divergent" : "convergent";
        /* grid mask = rectangle of cells, anchored at a cell (rows counted downward) */
        assert_int_equal(
            count("{grid: {rows: 3, columns: 5}, anchor: {row: 1, column: 2}}", ty, &net),
            count("{rectangular: {lower_left: [-2.5, -1.5], upper_right: [2.5, 1.5]}}", ty, &net));
        assert_int_equal(
            count("{grid: {rows: 3, columns: 5}}", ty, &net),
            count("{rectangular: {lower_left: [-0.5, -2.5], upper_right: [4.5, 0.5]}}", ty, &net));
        /* a rectangle rotated by 90 degrees is the transposed rectangle */
        assert_int_equal(count("{rectangular: {lower_left: [-3.5, -1.5], upper_right: [3.5, 1.5], "
                               "azimuth_angle: 90.0}}",
                               ty, &net),
                         count("{rectangular: {lower_left: [-1.5, -3.5], upper_right: [1.5, "
                               "3.5]}}",
                               ty, &net));
        /* an ellipse: (x/1.5)² + (y/2.5)² <= 1 counted by hand, rotated or not */
        size_t want = 0;
        for (int x = 0; x < 9; x++) {
            for (int y = 0; y < 9; y++) {
                for (int u = 0; u < 9; u++) {
                    for (int v = 0; v < 9; v++) {
                        double dx = u - x, dy = v - y;
                        want += dx * dx / 2.25 + dy * dy / 6.25 <= 1;
                    }
                }
            }
        }
        assert_int_equal(count("{elliptical: {major_axis: 5.0, minor_axis: 3.0, azimuth_angle: "
                               "90.0}}",
                               ty, &net),
                         want);
        size_t want_x = 0; /* unrotated: major axis along x */
        for (int x = 0; x < 9; x++) {
            for (int y = 0; y < 9; y++) {
                for (int u = 0; u < 9; u++) {
                    for (int v = 0; v < 9; v++) {
                        double dx = u - x, dy = v - y;
                        want_x += dx * dx / 6.25 + dy * dy / 2.25 <= 1;
                    }
                }
            }
        }
        assert_int_equal(count("{elliptical: {major_axis: 5.0, minor_axis: 3.0}}", ty, &net),
                         want_x);
        /* outer anchor and inner anchor shift the same way */
        assert_int_equal(count("{circular: {radius: 1.5}, anchor: [2.0, -1.0]}", ty, &net),
                         count("{circular: {radius: 1.5, anchor: [2.0, -1.0]}}", ty, &net));
    }
    /* direction of the anchor: the driver at the centre (4, 4) -> location of (6, 4) i.e. 2 to
     * the right; convergent = the source is 2 to the right of the target */
    dn_topo_spec spec = tu_spec("{connection_type: convergent, mask: {circular: {radius: 0.1}, "
                                "anchor: [2.0, 0.0]}}");
    dn_topo_rows rows = tu_connect(&spec, &net, &net, 1);
    bool found = false;
    uint64_t centre = 1 + dn_topo_grid_index(&net.layer, 4, 4);
    uint64_t right = 1 + dn_topo_grid_index(&net.layer, 4, 6);
    for (size_t i = 0; i < rows.len; i++) {
        assert_true(rows.items[i].source != rows.items[i].target);
        found = found || (rows.items[i].target == centre && rows.items[i].source == right);
    }
    assert_true(found);
    dn_topo_rows_free(&rows);
    /* divergent: the target is 2 to the right of the source */
    spec = tu_spec("{connection_type: divergent, mask: {circular: {radius: 0.1}, "
                   "anchor: [2.0, 0.0]}}");
    rows = tu_connect(&spec, &net, &net, 1);
    found = false;
    for (size_t i = 0; i < rows.len; i++) {
        found = found || (rows.items[i].source == centre && rows.items[i].target == right);
    }
    assert_true(found);
    dn_topo_rows_free(&rows);
    tu_net_free(&net);
}

/* ---- the spatial index against a brute-force scan ------------------------------------------ */

static void check_against_reference(const dn_topo_spec *spec, const tu_net *src, const tu_net *tgt,
                                    const char *what)
{
    unsigned char *ref = tu_reference(spec, &src->layer, &tgt->layer);
    size_t ns = dn_topo_layer_size(&src->layer), nt = dn_topo_layer_size(&tgt->layer);
    unsigned *got = calloc(ns * nt, sizeof(unsigned));
    assert_non_null(got);
    dn_topo_rows rows = tu_connect(spec, src, tgt, 5);
    for (size_t i = 0; i < rows.len; i++) {
        size_t s = src->locs[rows.items[i].source - src->gids[0]];
        size_t t = tgt->locs[rows.items[i].target - tgt->gids[0]];
        got[t * ns + s]++;
    }
    for (size_t k = 0; k < ns * nt; k++) {
        if (got[k] != ref[k]) {
            fail_msg("%s: pair (target loc %zu, source loc %zu): %u connections, reference %u",
                     what, k / ns, k % ns, got[k], ref[k]);
        }
    }
    dn_topo_rows_free(&rows);
    free(got);
    free(ref);
}

static void test_index_matches_reference(void **state)
{
    (void)state;
    const char *masks[] = {
        "{circular: {radius: 2.3}}",
        "{circular: {radius: 1.7, anchor: [0.6, -0.9]}, anchor: [1.0, 0.5]}",
        "{doughnut: {inner_radius: 1.0, outer_radius: 3.1}}",
        "{rectangular: {lower_left: [-2.2, -0.7], upper_right: [0.4, 3.3]}}",
        "{elliptical: {major_axis: 6.0, minor_axis: 2.5, anchor: [0.5, 0.0]}}",
        "{circular: {radius: 9.0}}", /* wider than the wrapped layers: oversized */
    };
    tu_net layers[] = {
        tu_grid(12, 10, 10.0, 12.0, true, 1000, 1), tu_grid(12, 10, 10.0, 12.0, false, 2000, 1),
        tu_grid(7, 9, 8.0, 6.0, true, 3000, 1),     tu_free(150, 11.0, 9.0, true, 4000, 1),
        tu_free(140, 11.0, 9.0, false, 5000, 2),
    };
    const size_t nl = sizeof layers / sizeof layers[0];
    /* same layer, and pairs of layers of different geometry */
    size_t pairs[][2] = {{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}, {0, 2}, {2, 0}, {3, 4}, {4, 1}};
    for (size_t m = 0; m < sizeof masks / sizeof masks[0]; m++) {
        for (size_t p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
            for (int t = 0; t < 2; t++) {
                dn_topo_spec spec = tu_spec("{connection_type: %s, mask: %s, "
                                            "allow_oversized_mask: true}",
                                            t ? "divergent" : "convergent", masks[m]);
                char what[256];
                snprintf(what, sizeof what, "%s %s, layers %zu -> %zu",
                         t ? "divergent" : "convergent", masks[m], pairs[p][0], pairs[p][1]);
                check_against_reference(&spec, &layers[pairs[p][0]], &layers[pairs[p][1]], what);
            }
        }
    }
    for (size_t i = 0; i < nl; i++) {
        tu_net_free(&layers[i]);
    }
}

/* ---- determinism ---------------------------------------------------------------------------- */

static void test_determinism(void **state)
{
    (void)state;
    tu_net src = tu_grid(20, 20, 20.0, 20.0, true, 1, 2);
    tu_net tgt = tu_grid(20, 20, 20.0, 20.0, true, 1001, 1);
    const char *specs[] = {
        "{connection_type: divergent, mask: {circular: {radius: 4.0}}, kernel: {gaussian: "
        "{p_center: 0.6, sigma: 2.0}}, weights: {normal: {mean: 1.0, sigma: 0.2}}, delays: "
        "{uniform: {min: 1.0, max: 2.0}}}",
        "{connection_type: convergent, mask: {rectangular: {lower_left: [-3.0, -2.0], "
        "upper_right: [2.0, 3.0]}}, kernel: 0.3, delays: {lognormal: {mu: 0.5, sigma: 0.3}}}",
        "{connection_type: convergent, mask: {circular: {radius: 3.0}}, number_of_connections: "
        "7, kernel: {exponential: {a: 1.0, tau: 2.0}}, weights: {uniform: {min: 0.0, max: 1.0}}}",
        "{connection_type: divergent, number_of_connections: 9, allow_multapses: false, mask: "
        "{doughnut: {inner_radius: 1.0, outer_radius: 5.0}}}",
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        dn_topo_spec spec = tu_spec("%s", specs[i]);
        dn_topo_rows a = {0}, b = {0}, c = {0}, d = {0}, e = {0};
        dn_error err;
        assert_int_equal(tu_connect_ex(&spec, &src, &tgt, 42, 3, 1, &a, &err), DN_OK);
        assert_int_equal(tu_connect_ex(&spec, &src, &tgt, 42, 3, 1, &b, &err), DN_OK);
        assert_int_equal(tu_connect_ex(&spec, &src, &tgt, 42, 3, 2, &c, &err), DN_OK);
        assert_int_equal(tu_connect_ex(&spec, &src, &tgt, 42, 3, 3, &d, &err), DN_OK);
        assert_int_equal(tu_connect_ex(&spec, &src, &tgt, 42, 4, 1, &e, &err), DN_OK);
        assert_true(a.len > 1000);
        /* same seed and projection: identical rows, whatever the thread count */
        assert_int_equal(a.len, b.len);
        assert_int_equal(a.len, c.len);
        assert_int_equal(a.len, d.len);
        assert_memory_equal(a.items, b.items, a.len * sizeof *a.items);
        assert_memory_equal(a.items, c.items, a.len * sizeof *a.items);
        assert_memory_equal(a.items, d.items, a.len * sizeof *a.items);
        /* another projection index: other streams */
        assert_true(a.len != e.len || memcmp(a.items, e.items, a.len * sizeof *a.items) != 0);
        dn_topo_rows_free(&a);
        dn_topo_rows_free(&b);
        dn_topo_rows_free(&c);
        dn_topo_rows_free(&d);
        dn_topo_rows_free(&e);
    }
    tu_net_free(&src);
    tu_net_free(&tgt);
}

/* ---- fixed fan-in / fan-out (§7.6 C, D; decisions.md) ------------------------------------- */

static void degrees(const dn_topo_rows *rows, bool by_source, uint64_t first, size_t n,
                    unsigned *deg)
{
    memset(deg, 0, n * sizeof *deg);
    for (size_t i = 0; i < rows->len; i++) {
        uint64_t g = by_source ? rows->items[i].source : rows->items[i].target;
        assert_true(g >= first && g < first + n);
        deg[g - first]++;
    }
}

static bool has_duplicates(const dn_topo_rows *rows, uint64_t first, size_t n)
{
    bool dup = false;
    unsigned char *seen = calloc(n * n, 1);
    assert_non_null(seen);
    for (size_t i = 0; i < rows->len; i++) {
        size_t k = (rows->items[i].source - first) * n + (rows->items[i].target - first);
        dup = dup || seen[k];
        seen[k] = 1;
    }
    free(seen);
    return dup;
}

static void test_fixed_autapses_fixed(void **state)
{
    (void)state;
    /* NEST 2.20 ignores allow_autapses: false with a mask and no kernel (7 autapses among 48);
     * we honour it (decisions.md) */
    tu_net net = tu_grid(4, 4, 1.0, 1.0, true, 1, 1);
    dn_topo_spec spec = tu_spec("{connection_type: convergent, number_of_connections: 3, "
                                "allow_autapses: false, mask: {circular: {radius: 0.3}}}");
    unsigned deg[16];
    for (uint64_t seed = 1; seed <= 20; seed++) {
        dn_topo_rows rows = tu_connect(&spec, &net, &net, seed);
        assert_int_equal(rows.len, 48);
        assert_int_equal(tu_autapses(&rows), 0);
        degrees(&rows, false, 1, 16, deg);
        for (int k = 0; k < 16; k++) {
            assert_int_equal(deg[k], 3);
        }
        dn_topo_rows_free(&rows);
    }
    /* with autapses allowed (the default) the node itself is a candidate */
    spec = tu_spec("{connection_type: convergent, number_of_connections: 3, "
                   "mask: {circular: {radius: 0.3}}}");
    size_t aut = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        dn_topo_rows rows = tu_connect(&spec, &net, &net, seed);
        aut += tu_autapses(&rows);
        dn_topo_rows_free(&rows);
    }
    assert_true(aut > 0);
    tu_net_free(&net);
}

static void test_fixed_repeated_candidates(void **state)
{
    (void)state;
    /* a box as wide as a wrapped layer visits edge nodes up to 4 times; NEST can then connect a
     * pair twice despite allow_multapses: false. We never do: K = 16 takes every node once. */
    tu_net net = tu_grid(4, 4, 4.0, 4.0, true, 1, 1);
    for (int t = 0; t < 2; t++) {
        dn_topo_spec spec = tu_spec("{connection_type: %s, number_of_connections: 16, "
                                    "allow_multapses: false, mask: {rectangular: {lower_left: "
                                    "[-2.0, -2.0], upper_right: [2.0, 2.0]}}}",
                                    t ? "divergent" : "convergent");
        dn_topo_rows rows = tu_connect(&spec, &net, &net, 3);
        assert_int_equal(rows.len, 256);
        assert_false(has_duplicates(&rows, 1, 16));
        dn_topo_rows_free(&rows);
        /* K = 10 < 16: exact degree, no duplicates (rejection + rebuilding path) */
        spec.number_of_connections = 10;
        for (uint64_t seed = 1; seed <= 10; seed++) {
            rows = tu_connect(&spec, &net, &net, seed);
            assert_int_equal(rows.len, 160);
            assert_false(has_duplicates(&rows, 1, 16));
            unsigned deg[16];
            degrees(&rows, t == 1, 1, 16, deg);
            for (int k = 0; k < 16; k++) {
                assert_int_equal(deg[k], 10);
            }
            dn_topo_rows_free(&rows);
        }
    }
    tu_net_free(&net);
}

static void test_fixed_limits(void **state)
{
    (void)state;
    tu_net net = tu_grid(4, 4, 1.0, 1.0, false, 1, 1);
    dn_error err;
    dn_topo_rows rows = {0};
    /* §7.6 D: K = 15 with autapses and multapses forbidden works, every source reaches all
     * others; K = 16 cannot be satisfied */
    dn_topo_spec spec = tu_spec("{connection_type: divergent, number_of_connections: 15, "
                                "allow_autapses: false, allow_multapses: false}");
    rows = tu_connect(&spec, &net, &net, 1);
    assert_int_equal(rows.len, 240);
    assert_int_equal(tu_autapses(&rows), 0);
    assert_false(has_duplicates(&rows, 1, 16));
    dn_topo_rows_free(&rows);
    spec = tu_spec("{connection_type: divergent, number_of_connections: 16, "
                   "allow_autapses: false, allow_multapses: false}");
    assert_int_equal(tu_connect_ex(&spec, &net, &net, 1, 0, 1, &rows, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "Not enough targets found inside mask"));
    assert_string_equal(err.path, "network/projection_models/p/nest_params/number_of_connections");
    assert_int_equal(err.mark.line, 1);
    assert_int_equal(err.mark.column, 53);
    dn_topo_rows_free(&rows);
    /* §7.6 C: NEST loops forever here; we refuse up front */
    spec = tu_spec("{connection_type: convergent, number_of_connections: 16, "
                   "allow_autapses: false, allow_multapses: false}");
    assert_int_equal(tu_connect_ex(&spec, &net, &net, 1, 0, 2, &rows, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "Not enough sources found inside mask"));
    dn_topo_rows_free(&rows);
    /* K = 0: nothing, no error */
    spec = tu_spec("{connection_type: convergent, number_of_connections: 0}");
    rows = tu_connect(&spec, &net, &net, 1);
    assert_int_equal(rows.len, 0);
    dn_topo_rows_free(&rows);
    /* a mask that leaves corner nodes without candidates (autapses forbidden): error */
    spec = tu_spec("{connection_type: convergent, number_of_connections: 1, allow_autapses: "
                   "false, mask: {rectangular: {lower_left: [0.1, 0.1], upper_right: [0.3, "
                   "0.3]}}}");
    assert_int_equal(tu_connect_ex(&spec, &net, &net, 1, 0, 1, &rows, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "has no candidate"));
    dn_topo_rows_free(&rows);
    /* a kernel that is zero everywhere leaves nothing to draw */
    spec = tu_spec("{connection_type: convergent, number_of_connections: 2, kernel: {gaussian: "
                   "{p_center: 1.0, sigma: 0.1, mean: 5.0, c: 0.0, cutoff: 0.5}}}");
    assert_int_equal(tu_connect_ex(&spec, &net, &net, 1, 0, 1, &rows, &err), DN_EINPUT);
    dn_topo_rows_free(&rows);
    /* multapses allowed: one candidate is enough for any K */
    spec = tu_spec("{connection_type: convergent, number_of_connections: 5, "
                   "mask: {circular: {radius: 0.01}}}");
    rows = tu_connect(&spec, &net, &net, 1);
    assert_int_equal(rows.len, 80);
    assert_int_equal(tu_autapses(&rows), 80);
    dn_topo_rows_free(&rows);
    tu_net_free(&net);
}

static void test_fixed_divergent_wrapped_without_mask(void **state)
{
    (void)state;
    /* §7.6 D: an unbounded mask is oversized on a wrapped target layer */
    tu_net net = tu_grid(4, 4, 1.0, 1.0, true, 1, 1);
    dn_error err;
    dn_topo_rows rows = {0};
    dn_topo_spec spec = tu_spec("{connection_type: divergent, number_of_connections: 3}");
    assert_int_equal(tu_connect_ex(&spec, &net, &net, 1, 0, 1, &rows, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "Mask size must not exceed layer size"));
    assert_non_null(strstr(err.message, "allow_oversized_mask"));
    /* the other variants are unaffected */
    spec = tu_spec("{connection_type: convergent, number_of_connections: 3}");
    rows = tu_connect(&spec, &net, &net, 1);
    assert_int_equal(rows.len, 48);
    dn_topo_rows_free(&rows);
    spec = tu_spec("{connection_type: divergent, number_of_connections: 3, "
                   "allow_oversized_mask: true}");
    rows = tu_connect(&spec, &net, &net, 1);
    assert_int_equal(rows.len, 48);
    unsigned deg[16];
    degrees(&rows, true, 1, 16, deg);
    for (int k = 0; k < 16; k++) {
        assert_int_equal(deg[k], 3);
    }
    dn_topo_rows_free(&rows);
    tu_net_free(&net);
}

static void test_oversized_mask(void **state)
{
    (void)state;
    tu_net net = tu_grid(4, 4, 4.0, 4.0, true, 1, 1);
    dn_error err;
    dn_topo_rows rows = {0};
    /* exactly as wide as the layer is fine; wider is an error (checked: 4.0000001) */
    dn_topo_spec ok = tu_spec("{connection_type: convergent, mask: {rectangular: {lower_left: "
                              "[-2.0, -2.0], upper_right: [2.0, 2.0]}}}");
    rows = tu_connect(&ok, &net, &net, 1);
    dn_topo_rows_free(&rows);
    for (int t = 0; t < 2; t++) {
        dn_topo_spec spec = tu_spec("{connection_type: %s,\n mask: {rectangular: {lower_left: "
                                    "[-2.0, -2.0], upper_right: [2.0000001, 1.0]}}}",
                                    t ? "divergent" : "convergent");
        assert_int_equal(tu_connect_ex(&spec, &net, &net, 1, 0, 1, &rows, &err), DN_EINPUT);
        assert_non_null(strstr(err.message, "Mask size must not exceed layer size"));
        assert_string_equal(err.path, "network/projection_models/p/nest_params/mask");
        assert_int_equal(err.mark.line, 2);
        assert_int_equal(err.mark.column, 8);
        spec.allow_oversized_mask = true;
        rows = tu_connect(&spec, &net, &net, 1);
        dn_topo_rows_free(&rows);
    }
    /* not wrapped: no limit */
    tu_net flat = tu_grid(4, 4, 4.0, 4.0, false, 1, 1);
    dn_topo_spec big = tu_spec("{connection_type: convergent, mask: {circular: {radius: 50.0}}}");
    rows = tu_connect(&big, &flat, &flat, 1);
    assert_int_equal(rows.len, 256);
    dn_topo_rows_free(&rows);
    tu_net_free(&flat);
    tu_net_free(&net);
}

static void test_node_locations_checked(void **state)
{
    (void)state;
    tu_net net = tu_grid(2, 2, 1.0, 1.0, false, 1, 1);
    net.locs[3] = 4; /* out of range */
    dn_topo_spec spec = tu_spec("{connection_type: convergent}");
    dn_topo_rows rows = {0};
    dn_error err;
    assert_int_equal(tu_connect_ex(&spec, &net, &net, 1, 0, 1, &rows, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "location 4"));
    dn_topo_rows_free(&rows);
    /* a grid mask on a free pool layer */
    tu_net fr = tu_free(10, 1.0, 1.0, false, 1, 3);
    spec = tu_spec("{connection_type: convergent, mask: {grid: {rows: 2, columns: 2}}}");
    assert_int_equal(tu_connect_ex(&spec, &fr, &fr, 1, 0, 1, &rows, &err), DN_EINPUT);
    assert_non_null(strstr(err.message, "grid mask"));
    dn_topo_rows_free(&rows);
    tu_net_free(&fr);
    tu_net_free(&net);
}

typedef struct sink_state {
    dn_topo_rows rows;
    size_t batches, fail_at;
} sink_state;

static dn_status collect(const dn_topo_conn *rows, size_t n, void *ctx, dn_error *err)
{
    sink_state *st = ctx;
    if (++st->batches == st->fail_at) {
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "engine refused batch %zu", st->batches);
    }
    for (size_t i = 0; i < n; i++) {
        if (st->rows.len == st->rows.cap) {
            st->rows.cap = st->rows.cap ? 2 * st->rows.cap : 1024;
            st->rows.items = realloc(st->rows.items, st->rows.cap * sizeof *rows);
            assert_non_null(st->rows.items);
        }
        st->rows.items[st->rows.len++] = rows[i];
    }
    return DN_OK;
}

static void test_sink(void **state)
{
    (void)state;
    tu_net net = tu_grid(30, 30, 30.0, 30.0, true, 1, 2);
    dn_topo_spec spec = tu_spec("{connection_type: divergent, mask: {circular: {radius: 3.0}}, "
                                "kernel: 0.5, delays: {uniform: {min: 1.0, max: 3.0}}}");
    dn_topo_rows all = tu_connect(&spec, &net, &net, 9);
    for (int threads = 1; threads <= 2; threads++) {
        sink_state st = {0};
        dn_topo_call call = {.spec = &spec,
                             .source_layer = &net.layer,
                             .target_layer = &net.layer,
                             .sources = {net.gids, net.locs, net.n},
                             .targets = {net.gids, net.locs, net.n},
                             .seed = 9,
                             .projection = 7,
                             .default_weight = 1.0,
                             .default_delay = 1.0,
                             .threads = threads};
        dn_error err;
        assert_int_equal(dn_topo_connect_cb(&call, collect, &st, &err), DN_OK);
        assert_true(st.batches > 1); /* streamed, not one block */
        assert_int_equal(st.rows.len, all.len);
        assert_memory_equal(st.rows.items, all.items, all.len * sizeof *all.items);
        dn_topo_rows_free(&st.rows);
        /* a failing sink stops the call with its status and message */
        st = (sink_state){.fail_at = 2};
        dn_error_clear(&err);
        assert_int_equal(dn_topo_connect_cb(&call, collect, &st, &err), DN_ERUNTIME);
        assert_string_equal(err.message, "engine refused batch 2");
        assert_string_equal(err.path, "network/projection_models/p/nest_params");
        dn_topo_rows_free(&st.rows);
    }
    dn_topo_rows_free(&all);
    /* empty node lists: nothing to connect, no error for the Bernoulli algorithms */
    tu_net empty = net;
    empty.n = 0;
    dn_topo_rows rows = tu_connect(&spec, &empty, &net, 1);
    assert_int_equal(rows.len, 0);
    dn_topo_rows_free(&rows);
    rows = tu_connect(&spec, &net, &empty, 1);
    assert_int_equal(rows.len, 0);
    dn_topo_rows_free(&rows);
    tu_net_free(&net);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_positions_bit_exact),
        cmocka_unit_test(test_free_layer),
        cmocka_unit_test(test_layer_parse),
        cmocka_unit_test(test_displacement),
        cmocka_unit_test(test_nest_counts),
        cmocka_unit_test(test_circle_third),
        cmocka_unit_test(test_tutorial),
        cmocka_unit_test(test_mask_kinds),
        cmocka_unit_test(test_index_matches_reference),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_fixed_autapses_fixed),
        cmocka_unit_test(test_fixed_repeated_candidates),
        cmocka_unit_test(test_fixed_limits),
        cmocka_unit_test(test_fixed_divergent_wrapped_without_mask),
        cmocka_unit_test(test_oversized_mask),
        cmocka_unit_test(test_node_locations_checked),
        cmocka_unit_test(test_sink),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
