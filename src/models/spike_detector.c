/* spike_detector (alias spike_recorder): records the spikes of the nodes connected to it
 * (node -> spike_detector) with their emission stamps (kernel spec §5.3). */
#include "engine/recorder.h"

static const dn_column cols[] = {DN_REC_COLUMNS(1, 1, 0, 0)};
static const dn_field fields[] = {DN_REC_FIELDS};

const dn_model dn_model_spike_detector = {
    .name = "spike_detector",
    .element_type = DN_ELEM_RECORDER,
    .doc = "records spikes",
    .cols = cols,
    .n_cols = sizeof cols / sizeof cols[0],
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .extra_keys = dn_rec_extra_keys,
    .n_extra_keys = 6,
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
