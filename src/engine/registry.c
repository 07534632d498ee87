/* The built-in model descriptors (architecture.md §3 "Models": the registry is a list of
 * descriptors) and NEST 3 aliases of NEST 2.20 names (decisions.md). */
#include <string.h>

#include "engine/engine_impl.h"

extern const dn_model dn_model_iaf_psc_alpha;
extern const dn_model dn_model_iaf_psc_exp;
extern const dn_model dn_model_iaf_cond_exp;
extern const dn_model dn_model_parrot_neuron;
extern const dn_model dn_model_spike_generator;
extern const dn_model dn_model_poisson_generator;
extern const dn_model dn_model_dc_generator;
extern const dn_model dn_model_step_current_generator;
extern const dn_model dn_model_multimeter;
extern const dn_model dn_model_spike_detector;
extern const dn_model dn_model_weight_recorder;
extern const dn_synmodel dn_synmodel_static_synapse;
extern const dn_synmodel dn_synmodel_static_synapse_lbl;

/* written against model.h in src/models/ht_*.c */
extern const dn_model dn_model_ht_neuron;
extern const dn_synmodel dn_synmodel_ht_synapse;

static const dn_model *const builtin_models[] = {
    &dn_model_iaf_psc_alpha,     &dn_model_iaf_psc_exp,    &dn_model_iaf_cond_exp,
    &dn_model_parrot_neuron,     &dn_model_ht_neuron,      &dn_model_spike_generator,
    &dn_model_poisson_generator, &dn_model_dc_generator,   &dn_model_step_current_generator,
    &dn_model_multimeter,        &dn_model_spike_detector, &dn_model_weight_recorder,
};

static const dn_synmodel *const builtin_synmodels[] = {
    &dn_synmodel_static_synapse,
    &dn_synmodel_static_synapse_lbl,
    &dn_synmodel_ht_synapse,
};

size_t dn_registry_models(const dn_model *const **out)
{
    *out = builtin_models;
    return sizeof builtin_models / sizeof builtin_models[0];
}

size_t dn_registry_synmodels(const dn_synmodel *const **out)
{
    *out = builtin_synmodels;
    return sizeof builtin_synmodels / sizeof builtin_synmodels[0];
}

/* NEST 3 names accepted for NEST 2.20 models. */
const char *dn_registry_alias(const char *name)
{
    if (strcmp(name, "spike_recorder") == 0)
        return "spike_detector";
    return name;
}
