/* ht_synapse: Hill & Tononi synaptic depression (kernel spec §6.3). Each connection keeps a pool
 * P that recovers toward 1 with tau_P between spikes; a spike transmits weight·P (also what a
 * weight_recorder logs) and then depresses P by the fraction delta_P. */
#include "denest/model.h"
#include "models/ht_synapse_dynamics.h"

enum { C_TAU_P, C_DELTA_P, C_P, C_T_LAST, N_COLS };

static const dn_column cols[N_COLS] = {
    [C_TAU_P] = {"tau_P", DN_COL_F64, DN_ROLE_PARAM, DN_HT_SYN_TAU_P},
    [C_DELTA_P] = {"delta_P", DN_COL_F64, DN_ROLE_PARAM, DN_HT_SYN_DELTA_P},
    /* State, but ResetNetwork keeps it like every synapse state (kernel spec §1.9). */
    [C_P] = {"P", DN_COL_F64, DN_ROLE_STATE, DN_HT_SYN_P},
    [C_T_LAST] = {"t_lastspike", DN_COL_F64, DN_ROLE_STATE, 0.0},
};

static const dn_field fields[] = {
    {"tau_P", "ms", DN_FT_DOUBLE, C_TAU_P, DN_POS, 0, 0, 0, "recovery time constant of the pool"},
    {"delta_P", "", DN_FT_DOUBLE, C_DELTA_P, DN_UNIT, 0, 0, 0,
     "fraction of the pool used up by each spike"},
    {"P", "", DN_FT_DOUBLE, C_P, DN_UNIT, 0, 0, DN_F_STATE, "present size of the pool"},
};

static double send(dn_conntable *t, size_t j, double t_spike)
{
    const double tau_P = ((const double *)t->col[C_TAU_P])[j];
    const double delta_P = ((const double *)t->col[C_DELTA_P])[j];
    double *P = (double *)t->col[C_P] + j;
    double *t_last = (double *)t->col[C_T_LAST] + j;
    return dn_ht_synapse_send(t->c[j].weight, tau_P, delta_P, P, t_last, t_spike);
}

const dn_synmodel dn_synmodel_ht_synapse = {
    .name = "ht_synapse",
    .doc = "synapse with Hill & Tononi (2005) short-term depression",
    .default_weight = 1.0,
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .send = send,
};
