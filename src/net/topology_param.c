/* Topology parameter functions (kernel spec §7.5): the kernel (connection probability), weight and
 * delay as constants, distance-dependent functions or random distributions, with `anchor`
 * (evaluate at d - anchor) and `cutoff` (values below it become 0). */
#include <math.h>

#include <gsl/gsl_randist.h>

#include "denest/rng.h"
#include "denest/topology.h"

dn_topo_param dn_topo_param_constant(double value)
{
    dn_topo_param p = {0};
    p.func = DN_TOPO_CONSTANT;
    p.value = value;
    p.cutoff = -INFINITY;
    p.min = -INFINITY;
    p.max = INFINITY;
    return p;
}

bool dn_topo_param_is_random(const dn_topo_param *param)
{
    return param->func == DN_TOPO_UNIFORM || param->func == DN_TOPO_NORMAL ||
           param->func == DN_TOPO_LOGNORMAL;
}

static double raw_value(const dn_topo_param *p, const double d[2], gsl_rng *r)
{
    switch (p->func) {
    case DN_TOPO_CONSTANT:
        return p->value;
    case DN_TOPO_UNIFORM:
        return p->min + dn_rng_uniform(r) * (p->max - p->min);
    case DN_TOPO_NORMAL:
        /* redraw until inside [min, max); the parser rejects ranges that hold almost nothing */
        for (;;) {
            double v = p->mean + p->sigma * gsl_ran_gaussian_ziggurat(r, 1.0);
            if (v >= p->min && v < p->max) {
                return v;
            }
        }
    case DN_TOPO_LOGNORMAL:
        for (;;) {
            double v = exp(p->mu + p->sigma * gsl_ran_gaussian_ziggurat(r, 1.0));
            if (v >= p->min && v < p->max) {
                return v;
            }
        }
    default:
        break;
    }
    double x = d[0] - p->anchor[0], y = d[1] - p->anchor[1];
    double dist = sqrt(x * x + y * y);
    switch (p->func) {
    case DN_TOPO_LINEAR:
        return p->c + p->a * dist;
    case DN_TOPO_EXPONENTIAL:
        return p->c + p->a * exp(-dist / p->tau);
    case DN_TOPO_GAUSSIAN: {
        double z = dist - p->mean;
        return p->c + p->p_center * exp(-z * z / (2 * p->sigma * p->sigma));
    }
    case DN_TOPO_GAUSSIAN2D: {
        /* §7.5: the standard bivariate normal form (-2 rho), as NEST's code has it */
        double u = (x - p->mean_x) / p->sigma_x, v = (y - p->mean_y) / p->sigma_y;
        double q = u * u + v * v - 2 * p->rho * u * v;
        return p->c + p->p_center * exp(-q / (2 * (1 - p->rho * p->rho)));
    }
    case DN_TOPO_GAMMA:
        return pow(dist, p->kappa - 1) * exp(-dist / p->theta) /
               (pow(p->theta, p->kappa) * tgamma(p->kappa));
    default:
        return 0.0;
    }
}

double dn_topo_param_value(const dn_topo_param *param, const double d[2], gsl_rng *r)
{
    double v = raw_value(param, d, r);
    return v < param->cutoff ? 0.0 : v;
}
