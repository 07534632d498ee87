/* weight_recorder: logs (sender, target, time, weight) of every spike transmitted through
 * connections of synapse models whose `weight_recorder` names it (kernel spec §5.4). */
#include "engine/recorder.h"

static const dn_column cols[] = {DN_REC_COLUMNS(1, 1, 1, 1)};
static const dn_field fields[] = {DN_REC_FIELDS};

const dn_model dn_model_weight_recorder = {
    .name = "weight_recorder",
    .element_type = DN_ELEM_RECORDER,
    .doc = "records weights of transmitted spikes",
    .cols = cols,
    .n_cols = sizeof cols / sizeof cols[0],
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .extra_keys = dn_wr_extra_keys,
    .n_extra_keys = 8,
    .obj_size = sizeof(dn_recorder),
    .obj_init = dn_recorder_obj_init,
    .obj_copy = dn_recorder_obj_copy,
    .obj_free = dn_recorder_obj_free,
    .set_extra = dn_recorder_set_extra,
    .get_extra = dn_recorder_get_extra,
    .apply = dn_recorder_apply,
    .calibrate = dn_recorder_calibrate,
    .update = dn_recorder_update,
    .finalize = dn_recorder_finalize,
    .reset = dn_recorder_reset,
};
