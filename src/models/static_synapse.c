/* static_synapse and static_synapse_lbl: fixed weight and delay (kernel spec §6.2); the
 * labelled variant carries an integer synapse_label. */
#include "denest/model.h"

const dn_synmodel dn_synmodel_static_synapse = {
    .name = "static_synapse",
    .doc = "fixed weight and delay",
    .default_weight = 1.0,
};

static const dn_column lbl_cols[] = {{"synapse_label", DN_COL_I32, DN_ROLE_PARAM, -1}};
static const dn_field lbl_fields[] = {
    {"synapse_label", "", DN_FT_INT, 0, DN_ANY, 0, 0, 0, "user label of the connection"},
};

const dn_synmodel dn_synmodel_static_synapse_lbl = {
    .name = "static_synapse_lbl",
    .doc = "fixed weight and delay, with a label",
    .default_weight = 1.0,
    .cols = lbl_cols,
    .n_cols = 1,
    .fields = lbl_fields,
    .n_fields = 1,
};
