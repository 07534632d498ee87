/* Propagators P31 and P32 of kernel spec §3.2, switching to the singular (tau_m == tau_syn)
 * form when the regular one loses precision. */
#include <math.h>

#include "models/propagators.h"

double dn_propagator_32(double ts, double tau, double c, double h)
{
    double p = -tau / (c * (1 - tau / ts)) * exp(-h / ts) * expm1(h * (1 / ts - 1 / tau));
    double sing = h / c * exp(-h / tau);
    double lin = h * h * (ts - tau) * exp(-h / tau) / (2 * c * tau * tau);
    if (tau == ts || (fabs(tau - ts) < 0.1 && fabs(p - sing) > 2 * fabs(lin)))
        return sing;
    return p;
}

double dn_propagator_31(double ts, double tau, double c, double h)
{
    double a = tau / ts - 1;
    double p =
        (tau / c) * (tau * exp(-h / ts) * expm1(h / ts - h / tau) / a - h * exp(-h / ts)) / a;
    double sing = h * h / (2 * c) * exp(-h / tau);
    double lin = h * h * h * (ts - tau) * exp(-h / tau) / (3 * c * tau * tau);
    if (tau == ts || (fabs(tau - ts) < 0.1 && fabs(p - sing) > 2 * fabs(lin)))
        return sing;
    return p;
}
