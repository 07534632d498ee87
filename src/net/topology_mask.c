/* Topology masks (kernel spec §7.4): membership tests in NEST's floating-point form and bounding
 * boxes, resolved once per connection call (grid masks become rectangles in the pool layer's
 * units, rotations are precomputed, divergent connections use the converse mask). */
#include <math.h>
#include <string.h>

#include "net/topology_internal.h"

/* Tolerance of rotated rectangles (§7.4 "small eps tolerance"), relative to the box size:
 * rotated lattice points that lie on an edge must not fall out by a rounding error. */
#define ROT_EPS 1e-12

static const double deg_to_rad = 3.14159265358979323846 / 180.0;

dn_status topo_mask_resolve(const dn_topo_mask *mask, const dn_topo_layer *pool, bool converse,
                            topo_mask *m, dn_error *err, const char *path)
{
    memset(m, 0, sizeof *m);
    m->converse = converse;
    m->anchor[0] = mask->anchor[0];
    m->anchor[1] = mask->anchor[1];
    m->center[0] = mask->center[0];
    m->center[1] = mask->center[1];
    double lo[2], hi[2];
    switch (mask->kind) {
    case DN_TOPO_MASK_CIRCULAR:
    case DN_TOPO_MASK_DOUGHNUT:
        m->shape = mask->kind == DN_TOPO_MASK_CIRCULAR ? TOPO_SHAPE_BALL : TOPO_SHAPE_DOUGHNUT;
        m->radius = mask->radius;
        m->inner_radius = mask->inner_radius;
        for (int i = 0; i < 2; i++) {
            lo[i] = m->center[i] - m->radius;
            hi[i] = m->center[i] + m->radius;
        }
        break;
    case DN_TOPO_MASK_GRID: {
        if (pool == NULL || pool->rows == 0) {
            return dn_error_set(err, DN_EINPUT, &mask->mark, path,
                                "a grid mask needs a grid layer to choose partners from, but "
                                "the pool layer is a free layer; use a rectangular mask");
        }
        /* §7.4: cell offsets -> rectangle in the pool layer's units (edges at half cells) */
        double dx = pool->extent[0] / (double)pool->columns;
        double dy = pool->extent[1] / (double)pool->rows;
        double ca = (double)mask->anchor_column, ra = (double)mask->anchor_row;
        m->shape = TOPO_SHAPE_BOX;
        m->anchor[0] = m->anchor[1] = 0.0;
        m->ll[0] = dx * (-ca - 0.5);
        m->ur[0] = dx * ((double)mask->grid_columns - ca - 0.5);
        m->ll[1] = -dy * ((double)mask->grid_rows - ra - 0.5);
        m->ur[1] = -dy * (-ra - 0.5);
        for (int i = 0; i < 2; i++) {
            lo[i] = m->ll[i];
            hi[i] = m->ur[i];
        }
        break;
    }
    case DN_TOPO_MASK_RECTANGULAR:
        if (mask->azimuth_angle == 0.0) {
            m->shape = TOPO_SHAPE_BOX;
            for (int i = 0; i < 2; i++) {
                m->ll[i] = lo[i] = mask->lower_left[i];
                m->ur[i] = hi[i] = mask->upper_right[i];
            }
        } else {
            m->shape = TOPO_SHAPE_ROTATED_BOX;
            m->cos_az = cos(mask->azimuth_angle * deg_to_rad);
            m->sin_az = sin(mask->azimuth_angle * deg_to_rad);
            double half[2];
            for (int i = 0; i < 2; i++) {
                m->center[i] = (mask->lower_left[i] + mask->upper_right[i]) / 2;
                half[i] = (mask->upper_right[i] - mask->lower_left[i]) / 2;
                double eps = ROT_EPS * (1.0 + 2 * half[i]);
                m->ll[i] = -half[i] - eps;
                m->ur[i] = half[i] + eps;
            }
            /* bounding box of the rotated corners */
            double ex = fabs(half[0] * m->cos_az) + fabs(half[1] * m->sin_az);
            double ey = fabs(half[0] * m->sin_az) + fabs(half[1] * m->cos_az);
            double pad = ROT_EPS * (1.0 + ex + ey) * 4;
            lo[0] = m->center[0] - ex - pad;
            hi[0] = m->center[0] + ex + pad;
            lo[1] = m->center[1] - ey - pad;
            hi[1] = m->center[1] + ey + pad;
        }
        break;
    case DN_TOPO_MASK_ELLIPTICAL: {
        m->shape = TOPO_SHAPE_ELLIPSE;
        m->x_scale = 4.0 / (mask->major_axis * mask->major_axis);
        m->y_scale = 4.0 / (mask->minor_axis * mask->minor_axis);
        double a = mask->major_axis / 2, b = mask->minor_axis / 2, ex = a, ey = b;
        if (mask->azimuth_angle == 0.0) {
            m->cos_az = 1.0;
            m->sin_az = 0.0;
        } else {
            m->cos_az = cos(mask->azimuth_angle * deg_to_rad);
            m->sin_az = sin(mask->azimuth_angle * deg_to_rad);
            ex = sqrt(a * a * m->cos_az * m->cos_az + b * b * m->sin_az * m->sin_az);
            ey = sqrt(a * a * m->sin_az * m->sin_az + b * b * m->cos_az * m->cos_az);
            ex += ROT_EPS * (1.0 + ex);
            ey += ROT_EPS * (1.0 + ey);
        }
        lo[0] = m->center[0] - ex;
        hi[0] = m->center[0] + ex;
        lo[1] = m->center[1] - ey;
        hi[1] = m->center[1] + ey;
        break;
    }
    default:
        return dn_error_set(err, DN_EINPUT, &mask->mark, path, "unknown mask kind %d",
                            (int)mask->kind);
    }
    /* anchored mask: bbox shifted by the anchor; converse mask: mirrored bbox (§7.4) */
    for (int i = 0; i < 2; i++) {
        lo[i] += m->anchor[i];
        hi[i] += m->anchor[i];
        if (converse) {
            m->lo[i] = -hi[i];
            m->hi[i] = -lo[i];
        } else {
            m->lo[i] = lo[i];
            m->hi[i] = hi[i];
        }
    }
    return DN_OK;
}

bool topo_mask_inside(const topo_mask *m, const double q_in[2])
{
    double q[2];
    for (int i = 0; i < 2; i++) {
        q[i] = (m->converse ? -q_in[i] : q_in[i]) - m->anchor[i];
    }
    switch (m->shape) {
    case TOPO_SHAPE_BALL: {
        /* NEST: |q - centre| <= radius with the length as sqrt of the summed squares */
        double dx = q[0] - m->center[0], dy = q[1] - m->center[1];
        return sqrt(dx * dx + dy * dy) <= m->radius;
    }
    case TOPO_SHAPE_DOUGHNUT: {
        /* outer circle minus inner circle: points exactly on the inner circle are excluded */
        double dx = q[0] - m->center[0], dy = q[1] - m->center[1];
        double len = sqrt(dx * dx + dy * dy);
        return len <= m->radius && !(len <= m->inner_radius);
    }
    case TOPO_SHAPE_BOX:
        return q[0] >= m->ll[0] && q[1] >= m->ll[1] && q[0] <= m->ur[0] && q[1] <= m->ur[1];
    case TOPO_SHAPE_ROTATED_BOX: {
        /* rotate q by -azimuth about the box centre into the box frame */
        double rx = q[0] - m->center[0], ry = q[1] - m->center[1];
        double x = rx * m->cos_az + ry * m->sin_az;
        double y = -rx * m->sin_az + ry * m->cos_az;
        return x >= m->ll[0] && y >= m->ll[1] && x <= m->ur[0] && y <= m->ur[1];
    }
    case TOPO_SHAPE_ELLIPSE: {
        double rx = q[0] - m->center[0], ry = q[1] - m->center[1];
        double x = rx * m->cos_az + ry * m->sin_az;
        double y = rx * m->sin_az - ry * m->cos_az;
        return x * x * m->x_scale + y * y * m->y_scale <= 1;
    }
    }
    return false;
}

bool dn_topo_mask_inside(const dn_topo_mask *mask, const double q[2])
{
    topo_mask m;
    if (mask->kind == DN_TOPO_MASK_GRID || topo_mask_resolve(mask, NULL, false, &m, NULL, NULL)) {
        return false;
    }
    return topo_mask_inside(&m, q);
}
