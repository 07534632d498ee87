/* Internal pieces shared by the topology files: masks resolved for one connection call (grid masks
 * turned into rectangles, rotations precomputed, converse form for divergent connections) and
 * small helpers for error paths. Not a public interface. */
#ifndef DENEST_NET_TOPOLOGY_INTERNAL_H
#define DENEST_NET_TOPOLOGY_INTERNAL_H

#include <stdbool.h>

#include "denest/topology.h"

/* Shapes after resolution: a grid mask becomes a box. */
typedef enum topo_shape {
    TOPO_SHAPE_BALL = 0,
    TOPO_SHAPE_DOUGHNUT,
    TOPO_SHAPE_BOX,
    TOPO_SHAPE_ROTATED_BOX,
    TOPO_SHAPE_ELLIPSE,
} topo_shape;

typedef struct topo_mask {
    topo_shape shape;
    bool converse;    /* test inside(-q) instead of inside(q) (§7.4, algorithm B) */
    double anchor[2]; /* outer anchor */
    double center[2]; /* ball / doughnut / ellipse centre; rotated box centre */
    double radius, inner_radius;
    double ll[2], ur[2]; /* box corners (rotated box: relative to center, with tolerance) */
    double cos_az, sin_az;
    double x_scale, y_scale; /* ellipse: 4/major², 4/minor² */
    double lo[2], hi[2];     /* bounding box of the whole mask (anchor and converse applied) */
} topo_mask;

/* Resolve `mask` for a pool layer (needed for grid masks: spacing of the pool grid; NULL gives
 * DN_EINPUT for a grid mask). converse: build the converse mask. */
dn_status topo_mask_resolve(const dn_topo_mask *mask, const dn_topo_layer *pool, bool converse,
                            topo_mask *out, dn_error *err, const char *path);

/* Is q = p - X inside the resolved mask? */
bool topo_mask_inside(const topo_mask *m, const double q[2]);

/* Join "base/key" into buf (always NUL-terminated; truncated if too long). */
const char *topo_path(char *buf, size_t size, const char *base, const char *key);

#endif
