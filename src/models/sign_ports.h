/* Input routing shared by current- and conductance-based neurons with one excitatory and one
 * inhibitory spike input plus a current input (iaf_psc_alpha, iaf_cond_exp): spikes arrive on
 * receptor 0 only and go to input 0 when their weight is > 0, else to input 1 (kernel spec
 * §3.2, §3.4: a zero weight counts as inhibitory); currents go to input 2. */
#ifndef DN_MODELS_SIGN_PORTS_H
#define DN_MODELS_SIGN_PORTS_H

#include "denest/model.h"

enum { DN_SIGN_IN_EX = 0, DN_SIGN_IN_IN = 1, DN_SIGN_IN_CURRENT = 2, DN_SIGN_N_INPUTS = 3 };

static inline dn_status dn_sign_port(const dn_model *m, dn_event_kind kind, long receptor,
                                     double weight, dn_port *out, dn_error *err)
{
    if (receptor != 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "receptor_type %ld is not valid for %s (only 0)", receptor, m->name);
    out->rport = 0;
    out->input = kind == DN_EV_CURRENT ? DN_SIGN_IN_CURRENT
                 : weight > 0          ? DN_SIGN_IN_EX
                                       : DN_SIGN_IN_IN;
    return DN_OK;
}

/* A connection's weight changed (SetStatus): its spike input follows the new sign. */
static inline int dn_sign_reroute(const dn_model *m, int input, double weight)
{
    (void)m;
    return input == DN_SIGN_IN_CURRENT ? DN_SIGN_IN_CURRENT
           : weight > 0                ? DN_SIGN_IN_EX
                                       : DN_SIGN_IN_IN;
}

#endif
