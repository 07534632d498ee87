/* parrot_neuron: repeats its input spikes (kernel spec §3.7). Input 0 counts the multiplicity
 * of arriving spikes (weight ignored); input 1 (receptor 1) is accepted and ignored. */
#include "denest/model.h"

enum { C_T_SPIKE, N_COLS };

static const dn_column cols[N_COLS] = {
    [C_T_SPIKE] = {"t_spike", DN_COL_F64, DN_ROLE_STATE, -1.0},
};

static const dn_field fields[] = {
    {"t_spike", "ms", DN_FT_DOUBLE, C_T_SPIKE, DN_ANY, 0, 0, DN_F_READONLY | DN_F_STATE,
     "time of the last spike (-1: none)"},
};

static dn_status port(const dn_model *m, dn_event_kind kind, long receptor, double weight,
                      dn_port *out, dn_error *err)
{
    (void)weight;
    if (kind != DN_EV_SPIKE)
        return dn_error_set(err, DN_EINPUT, NULL, NULL, "%s accepts only spikes", m->name);
    if (receptor != 0 && receptor != 1)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "receptor_type %ld is not valid for %s (0: repeat, 1: ignore)",
                            receptor, m->name);
    out->input = (int)receptor;
    out->rport = (int)receptor;
    out->count = true;
    return DN_OK;
}

static dn_status update(dn_block *b, size_t first, size_t last, const dn_slice *s, dn_error *err)
{
    (void)err;
    double *tsp = dn_col_f64(b, C_T_SPIKE);
    for (int lag = s->from; lag < s->to; lag++) {
        double *cnt = dn_input(b, s, lag, 0), *ign = dn_input(b, s, lag, 1);
        for (size_t i = first; i < last; i++) {
            double c = cnt[i];
            cnt[i] = 0;
            ign[i] = 0;
            if (c > 0) {
                /* one event carrying the multiplicity (spec §3.7) */
                tsp[i] = (double)(s->origin + lag + 1) * s->h;
                dn_emit(b, s, i, lag, (uint32_t)(c + 0.5));
            }
            dn_sample(b, s, i, lag);
        }
    }
    return DN_OK;
}

const dn_model dn_model_parrot_neuron = {
    .name = "parrot_neuron",
    .element_type = DN_ELEM_NEURON,
    .flags = DN_MODEL_EMITS,
    .doc = "repeats incoming spikes",
    .cols = cols,
    .n_cols = N_COLS,
    .fields = fields,
    .n_fields = 1,
    .n_inputs = 2,
    .port = port,
    .update = update,
};
