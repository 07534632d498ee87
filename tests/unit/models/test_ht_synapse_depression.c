/* ht_synapse depression as a pure function (kernel spec §6.3) against NEST 2.20.2: the weights
 * a weight_recorder logged for a parrot's spikes (tests/data/ht/ht_synapse_weight_recorder.csv)
 * and the final pool P (ht_synapse_meta.json). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "models/ht_synapse_dynamics.h"
#include "test_ht_support.h"

static void test_weight_recorder_values(void **state)
{
    (void)state;
    ht_csv wr;
    assert_int_equal(ht_csv_load("ht_synapse_weight_recorder.csv", &wr), 0);
    const int ct = ht_csv_col(&wr, "time_ms"), cw = ht_csv_col(&wr, "weight");
    assert_true(ct >= 0 && cw >= 0);
    assert_int_equal(wr.nrows, 17);
    double P = DN_HT_SYN_P, t_last = 0.0;
    for (size_t k = 0; k < wr.nrows; k++) {
        /* The recorder's time is the parrot's emission stamp, which the synapse sees. */
        const double t = ht_csv_at(&wr, k, ct);
        const double sent =
            dn_ht_synapse_send(1.0, DN_HT_SYN_TAU_P, DN_HT_SYN_DELTA_P, &P, &t_last, t);
        const double nest = ht_csv_at(&wr, k, cw);
        if (sent != nest) /* bit for bit: same operations as NEST */
            fail_msg("spike %zu at %g ms: sent %.17g, NEST %.17g", k, t, sent, nest);
    }
    /* Final pool of ht_synapse_meta.json: final_connection_status.P. */
    assert_true(P == 0.2605473181368629);
    assert_true(t_last == 271.0);
    ht_csv_free(&wr);
}

static void test_depression_rules(void **state)
{
    (void)state;
    /* First spike: full pool, t_last = 0 gives recovery from time 0 (no effect at P = 1). */
    double P = 1.0, tl = 0.0;
    assert_true(dn_ht_synapse_send(2.0, 500.0, 0.125, &P, &tl, 5.0) == 2.0);
    assert_true(P == 0.875 && tl == 5.0);
    /* Two spikes at the same time (multiplicity 2 is expanded): no recovery in between. */
    double sent = dn_ht_synapse_send(2.0, 500.0, 0.125, &P, &tl, 5.0);
    assert_true(sent == 2.0 * 0.875);
    assert_true(P == 0.875 * 0.875);
    /* Long pause: full recovery. */
    sent = dn_ht_synapse_send(1.0, 500.0, 0.125, &P, &tl, 5.0 + 1e5);
    assert_true(fabs(sent - 1.0) < 1e-15);
    /* delta_P = 0: no depression; delta_P = 1: pool emptied, recovers with tau_P. */
    P = 1.0, tl = 0.0;
    dn_ht_synapse_send(1.0, 500.0, 0.0, &P, &tl, 1.0);
    assert_true(P == 1.0);
    dn_ht_synapse_send(1.0, 100.0, 1.0, &P, &tl, 2.0);
    assert_true(P == 0.0);
    sent = dn_ht_synapse_send(1.0, 100.0, 1.0, &P, &tl, 102.0);
    assert_true(fabs(sent - (1.0 - exp(-1.0))) < 1e-15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weight_recorder_values),
        cmocka_unit_test(test_depression_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
