/* Helpers shared by the tree layer's files (not part of the public API). */
#ifndef DENEST_TREE_INTERNAL_H
#define DENEST_TREE_INTERNAL_H

#include "denest/tree.h"

/* Append a new empty child of parent named by a copy of `name`, with the given mark.
 * NULL when out of memory. */
dn_tree *dn_tree_new_child(dn_tree *parent, const dn_value *name, dn_mark mark);

#endif
