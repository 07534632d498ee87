/* Recorder metadata (deNEST spec §8.6–8.7 with decisions.md's fixes): the map the session layer
 * writes as data/<label>.yml — recorded GIDs and their (row, column, unit) locations, column
 * names, and the raw file names NEST 2.20 really writes (GID zero-padded to the digits of the
 * network size, VP to the digits of the VP count; kernel spec §5.1). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/net_internal.h"

/* ---- small map builders: each returns false when out of memory ------------------------------ */

static bool put(dn_value *map, const char *key, dn_value *v)
{
    return v && dn_value_map_set(map, key, v) == DN_OK;
}

static bool push(dn_value *list, dn_value *v)
{
    return v && dn_value_list_append(list, v) == DN_OK;
}

static dn_value *str_list(const char *const *items, size_t n)
{
    dn_value *l = dn_value_list();
    for (size_t i = 0; l && i < n; i++) {
        if (!push(l, dn_value_string(items[i]))) {
            dn_value_free(l);
            return NULL;
        }
    }
    return l;
}

static dn_value *int_list(const int64_t *items, size_t n)
{
    dn_value *l = dn_value_list();
    for (size_t i = 0; l && i < n; i++) {
        if (!push(l, dn_value_int(items[i]))) {
            dn_value_free(l);
            return NULL;
        }
    }
    return l;
}

/* Status flag with a default when the engine does not report it. */
static bool flag(const dn_value *status, const char *key, bool def)
{
    bool b = def;
    dn_value_get_bool(dn_value_map_get(status, key), &b);
    return b;
}

/* Does the recorder write files? record_to (list or string) contains "file", or to_file. */
static bool writes_files(const dn_value *status)
{
    const dn_value *rt = dn_value_map_get(status, "record_to");
    if (rt && rt->type == DN_VALUE_LIST) {
        for (size_t i = 0; i < rt->u.list.len; i++) {
            const char *s = dn_value_str(rt->u.list.items[i]);
            if (s && (strcmp(s, "file") == 0 || strcmp(s, "ascii") == 0))
                return true;
        }
        return false;
    }
    if (rt && rt->type == DN_VALUE_STRING)
        return strcmp(dn_value_str(rt), "file") == 0 || strcmp(dn_value_str(rt), "ascii") == 0;
    return flag(status, "to_file", false);
}

static dn_value *filenames(const dn_net_recorder *r, const dn_value *status, const char *prefix,
                           size_t network_size, int n_vp)
{
    dn_value *l = dn_value_list();
    if (!l || !writes_files(status))
        return l;
    const char *ext = dn_value_str(dn_value_map_get(status, "file_extension"));
    if (!ext)
        ext = r->kind == DN_NET_MULTIMETER       ? "dat"
              : r->kind == DN_NET_SPIKE_DETECTOR ? "gdf"
                                                 : "csv";
    for (int vp = 0; vp < n_vp; vp++) {
        char *name = net_raw_filename(prefix, r->label, r->gid, network_size, vp, n_vp, ext);
        if (!name || !push(l, dn_value_string(name))) {
            free(name);
            dn_value_free(l);
            return NULL;
        }
        free(name);
    }
    return l;
}

/* Column names of the raw files, as the recorder's with* flags make NEST write them (§8.7).
 * Every recorder kind writes the same field order (kernel spec 8.7: sender, target, port, rport,
 * time, weight, values); only the defaults differ (a weight recorder has withtargetgid and
 * withweight on). The port/rport/target/weight columns of population recorders used to be
 * missing, so the names did not match the files' columns. */
static dn_value *colnames(const dn_net_recorder *r, const dn_value *status,
                          const dn_value *record_from)
{
    const char *cols[16];
    size_t n = 0;
    bool wr = r->kind == DN_NET_WEIGHT_RECORDER;
    if (flag(status, "withgid", true))
        cols[n++] = wr ? "sender" : "gid";
    if (flag(status, "withtargetgid", wr))
        cols[n++] = "target";
    if (flag(status, "withport", false))
        cols[n++] = "port";
    if (flag(status, "withrport", false))
        cols[n++] = "rport";
    if (flag(status, "withtime", true))
        cols[n++] = "time";
    if (flag(status, "withweight", wr))
        cols[n++] = "weight";
    dn_value *l = str_list(cols, n);
    if (l && r->kind == DN_NET_MULTIMETER) {
        for (size_t i = 0; i < dn_value_len(record_from); i++) {
            if (!push(l, dn_value_copy(dn_value_list_at(record_from, i)))) {
                dn_value_free(l);
                return NULL;
            }
        }
    }
    return l;
}

/* record_from of a multimeter as a list of strings (a single string becomes a one-item list). */
static dn_value *record_from_list(const dn_net_recorder *r, const dn_value *status)
{
    if (r->kind == DN_NET_SPIKE_DETECTOR) {
        static const char *const spikes[] = {"spikes"};
        return str_list(spikes, 1);
    }
    const dn_value *rf = dn_value_map_get(status, "record_from");
    if (rf && rf->type == DN_VALUE_STRING) {
        const char *s = dn_value_str(rf);
        return str_list(&s, 1);
    }
    dn_value *l = dn_value_list();
    for (size_t i = 0; l && i < dn_value_len(rf); i++) {
        const dn_value *it = dn_value_list_at(rf, i);
        if (!push(l, dn_value_copy(it))) {
            dn_value_free(l);
            return NULL;
        }
    }
    return l;
}

static dn_value *population_meta(const dn_net_recorder *r, const dn_value *status,
                                 const char *prefix, size_t network_size, int n_vp)
{
    const dn_net_population *p = r->population;
    const dn_net_layer *L = r->layer;
    dn_value *m = dn_value_map();
    if (!m)
        return NULL;
    dn_value *rf = record_from_list(r, status);
    bool ok = rf != NULL;
    ok = ok && put(m, "colnames", colnames(r, status, rf));
    ok = ok && put(m, "filenames", filenames(r, status, prefix, network_size, n_vp));
    dn_value *gids = ok ? dn_value_list() : NULL;
    ok = ok && put(m, "gids", gids);
    for (size_t i = 0; ok && i < p->n; i++)
        ok = push(gids, dn_value_int((int64_t)(p->first + i)));
    if (ok) {
        double iv;
        if (r->kind == DN_NET_MULTIMETER &&
            dn_value_get_double(dn_value_map_get(status, "interval"), &iv))
            ok = put(m, "interval", dn_value_double(iv));
        else
            ok = put(m, "interval", dn_value_null());
    }
    ok = ok && put(m, "label", dn_value_string(r->label));
    ok = ok && put(m, "layer_name", dn_value_string(L->name));
    const int64_t shape[3] = {L->rows, L->columns, p->units};
    ok = ok && put(m, "layer_shape", int_list(shape, 2));
    dn_value *locs = ok ? dn_value_map() : NULL;
    ok = ok && put(m, "locations", locs);
    for (size_t i = 0; ok && i < p->n; i++) {
        int64_t loc[3];
        dn_net_population_location(p, (dn_gid)(p->first + i), &loc[0], &loc[1], &loc[2]);
        dn_value *key = dn_value_int((int64_t)(p->first + i));
        dn_value *val = int_list(loc, 3);
        if (!key || !val) {
            dn_value_free(key);
            dn_value_free(val);
            ok = false;
            break;
        }
        ok = dn_value_map_set_key(locs, key, val) == DN_OK;
    }
    ok = ok && put(m, "population_name", dn_value_string(p->name));
    ok = ok && put(m, "population_shape", int_list(shape, 3));
    if (ok)
        ok = put(m, "record_from", rf); /* takes rf in all cases */
    else
        dn_value_free(rf);
    ok = ok && put(m, "type", dn_value_string(r->type));
    ok = ok && put(m, "units_number", dn_value_int(p->units));
    if (!ok) {
        dn_value_free(m);
        return NULL;
    }
    return m;
}

static dn_value *projection_meta(const dn_net_recorder *r, const dn_value *status,
                                 const char *prefix, size_t network_size, int n_vp)
{
    dn_value *m = dn_value_map();
    bool ok = m != NULL;
    ok = ok && put(m, "colnames", colnames(r, status, NULL));
    ok = ok && put(m, "filenames", filenames(r, status, prefix, network_size, n_vp));
    ok = ok && put(m, "label", dn_value_string(r->label));
    ok = ok && put(m, "projection_name", dn_value_string(r->projection->name));
    ok = ok && put(m, "type", dn_value_string(r->type));
    if (!ok) {
        dn_value_free(m);
        return NULL;
    }
    return m;
}

dn_status dn_net_update_metadata(dn_net *net, dn_engine *e, dn_error *err)
{
    if (!net || !e)
        return DN_OK;
    dn_value *ks = NULL;
    dn_status st = dn_engine_get_kernel_status(e, &ks, err);
    if (st != DN_OK)
        return st;
    const char *kp = dn_value_str(dn_value_map_get(ks, "data_prefix"));
    char *prefix = strdup(kp ? kp : "");
    dn_value_free(ks);
    if (!prefix)
        return net_oom(err);
    size_t network_size = dn_engine_network_size(e);
    int n_vp = dn_engine_num_threads(e);
    for (size_t i = 0; i < net->n_recs && st == DN_OK; i++) {
        net_rec *r = &net->recs[i];
        dn_value *status = NULL;
        if ((st = dn_engine_get_status(e, r->pub.gid, &status, err)) != DN_OK)
            break;
        dn_value *m = r->pub.kind == DN_NET_WEIGHT_RECORDER
                          ? projection_meta(&r->pub, status, prefix, network_size, n_vp)
                          : population_meta(&r->pub, status, prefix, network_size, n_vp);
        dn_value_free(status);
        if (!m) {
            st = net_oom(err);
            break;
        }
        dn_value_free(r->meta);
        r->meta = m;
        r->pub.metadata = m;
    }
    free(prefix);
    return st;
}
