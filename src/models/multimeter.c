/* multimeter: samples recordables of the nodes it is connected to (multimeter -> node) every
 * `interval` ms; samples are collected one slice later and written then (kernel spec §5.2). */
#include "engine/recorder.h"

static const dn_column cols[] = {
    DN_REC_COLUMNS(1, 1, 0, 0),
    {"interval", DN_COL_F64, DN_ROLE_PARAM, 1.0},
    {"offset", DN_COL_F64, DN_ROLE_PARAM, 0.0},
};

static const dn_field fields[] = {
    DN_REC_FIELDS,
    {"interval", "ms", DN_FT_DOUBLE, DN_RC_INTERVAL, DN_POS, 0, 0, DN_F_GRID,
     "sampling interval (a multiple of the resolution)"},
    {"offset", "ms", DN_FT_DOUBLE, DN_RC_OFFSET, DN_NONNEG, 0, 0, DN_F_GRID,
     "first sample time when not 0"},
};

int dn_multimeter_recordables(const dn_block *mb, size_t mi, const char *const **names);
void dn_multimeter_connected(dn_block *mb, size_t mi);

int dn_multimeter_recordables(const dn_block *mb, size_t mi, const char *const **names)
{
    const dn_recorder *r = dn_block_obj(mb, mi);
    *names = (const char *const *)r->record_from;
    return r->n_record_from;
}

void dn_multimeter_connected(dn_block *mb, size_t mi)
{
    ((dn_recorder *)dn_block_obj(mb, mi))->connected = true;
}

const dn_model dn_model_multimeter = {
    .name = "multimeter",
    .element_type = DN_ELEM_RECORDER,
    .doc = "samples analog recordables of nodes",
    .cols = cols,
    .n_cols = sizeof cols / sizeof cols[0],
    .fields = fields,
    .n_fields = sizeof fields / sizeof fields[0],
    .extra_keys = dn_mm_extra_keys,
    .n_extra_keys = 7,
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
