/* Recorder backends (kernel spec §5): memory events and NEST 2.20 ASCII files (names with GID
 * and VP zero padding, trailing TAB, %.3f), the extra status keys of recorders, and the
 * per-slice collection steps the engine runs: multimeter samples (§5.2), spike detector
 * buffering (§5.3) and weight recorder queues (§5.4). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/recorder.h"

const char *const dn_rec_extra_keys[] = {DN_REC_EXTRA_KEYS};
const int dn_rec_n_extra_keys = 6;
const char *const dn_mm_extra_keys[] = {DN_REC_EXTRA_KEYS, "record_from"};
const int dn_mm_n_extra_keys = 7;
const char *const dn_wr_extra_keys[] = {DN_REC_EXTRA_KEYS, "senders", "targets"};
const int dn_wr_n_extra_keys = 8;

static dn_recorder *R(const dn_block *b, size_t i)
{
    return (dn_recorder *)dn_block_obj(b, i);
}

static bool is_mm(const dn_block *b)
{
    return strcmp(b->model->name, "multimeter") == 0;
}

static bool is_wr(const dn_block *b)
{
    return strcmp(b->model->name, "weight_recorder") == 0;
}

static int flag(const dn_block *b, int col, size_t i)
{
    return dn_col_i32(b, col)[i];
}

/* ---- objects -------------------------------------------------------------------------------- */

dn_status dn_recorder_obj_init(void *obj)
{
    memset(obj, 0, sizeof(dn_recorder));
    return DN_OK;
}

static char *dup_or_null(const char *s, bool *fail)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *fail = true;
    return d;
}

/* Copies configuration only (label, extension, record_from, filters); never files or data. */
dn_status dn_recorder_obj_copy(void *dst, const void *src)
{
    const dn_recorder *s = src;
    dn_recorder *d = dst;
    bool fail = false;
    memset(d, 0, sizeof *d);
    d->label = dup_or_null(s->label, &fail);
    d->file_extension = dup_or_null(s->file_extension, &fail);
    if (s->n_record_from) {
        d->record_from = calloc((size_t)s->n_record_from, sizeof(char *));
        if (!d->record_from)
            fail = true;
        else {
            d->n_record_from = s->n_record_from;
            for (int k = 0; k < s->n_record_from; k++)
                d->record_from[k] = dup_or_null(s->record_from[k], &fail);
        }
    }
    if (s->nf_senders) {
        d->f_senders = malloc(s->nf_senders * sizeof(dn_gid));
        if (d->f_senders) {
            memcpy(d->f_senders, s->f_senders, s->nf_senders * sizeof(dn_gid));
            d->nf_senders = s->nf_senders;
        } else
            fail = true;
    }
    if (s->nf_targets) {
        d->f_targets = malloc(s->nf_targets * sizeof(dn_gid));
        if (d->f_targets) {
            memcpy(d->f_targets, s->f_targets, s->nf_targets * sizeof(dn_gid));
            d->nf_targets = s->nf_targets;
        } else
            fail = true;
    }
    if (fail) {
        dn_recorder_obj_free(d);
        memset(d, 0, sizeof *d);
        return DN_ENOMEM;
    }
    return DN_OK;
}

static void clear_memory(dn_recorder *r)
{
    free(r->m_senders);
    free(r->m_targets);
    free(r->m_ports);
    free(r->m_rports);
    free(r->m_steps);
    free(r->m_weights);
    free(r->m_values);
    r->m_senders = r->m_targets = NULL;
    r->m_ports = r->m_rports = NULL;
    r->m_steps = NULL;
    r->m_weights = r->m_values = NULL;
    r->n_events = r->cap_events = 0;
}

void dn_recorder_obj_free(void *obj)
{
    dn_recorder *r = obj;
    free(r->label);
    free(r->file_extension);
    for (int k = 0; k < r->n_record_from; k++)
        free(r->record_from[k]);
    free(r->record_from);
    free(r->f_senders);
    free(r->f_targets);
    if (r->f)
        fclose(r->f);
    free(r->filename);
    clear_memory(r);
    free(r->now);
    free(r->next);
    free(r->q);
}

/* ---- status ---------------------------------------------------------------------------------- */

static const dn_mark *vm(const dn_value *v)
{
    return v && v->mark.file ? &v->mark : NULL;
}

static const char *nm_name(const dn_block *b)
{
    const dn_nodemodel *nm = b->inst;
    return nm ? nm->name : b->model->name;
}

static int gid_cmp(const void *a, const void *b)
{
    dn_gid x = *(const dn_gid *)a, y = *(const dn_gid *)b;
    return x < y ? -1 : x > y;
}

static dn_status parse_gid_list(const dn_value *v, const char *key, const char *owner, dn_gid **out,
                                size_t *n, dn_error *err)
{
    if (!v || v->type != DN_VALUE_LIST)
        return dn_error_set(err, DN_EINPUT, vm(v), NULL, "'%s' of %s must be a list of GIDs", key,
                            owner);
    size_t len = dn_value_len(v);
    dn_gid *g = malloc((len + 1) * sizeof *g);
    if (!g)
        return dn_oom(err);
    for (size_t k = 0; k < len; k++) {
        int64_t x;
        if (!dn_value_get_integral(dn_value_list_at(v, k), &x) || x < 0 || x > UINT32_MAX) {
            free(g);
            return dn_error_set(err, DN_EINPUT, vm(dn_value_list_at(v, k)), NULL,
                                "'%s' of %s must be a list of GIDs (whole numbers >= 0)", key,
                                owner);
        }
        g[k] = (dn_gid)x;
    }
    qsort(g, len, sizeof *g, gid_cmp);
    *out = g;
    *n = len;
    return DN_OK;
}

dn_status dn_recorder_set_extra(dn_block *b, size_t i, const dn_value *dict, const double *rec,
                                bool commit, const dn_calib *c, dn_error *err)
{
    (void)rec;
    (void)c;
    dn_recorder *r = R(b, i);
    const char *owner = nm_name(b);
    const dn_value *v;
    const char *s;
    if ((v = dn_value_map_get(dict, "label"))) {
        if (!dn_value_get_string(v, &s))
            return dn_error_set(err, DN_EINPUT, vm(v), NULL, "'label' of %s must be a string",
                                owner);
        if (commit) {
            char *d = strdup(s);
            if (!d)
                return dn_oom(err);
            free(r->label);
            r->label = d;
        }
    }
    if ((v = dn_value_map_get(dict, "file_extension"))) {
        if (!dn_value_get_string(v, &s))
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "'file_extension' of %s must be a string", owner);
        if (commit) {
            char *d = strdup(s);
            if (!d)
                return dn_oom(err);
            free(r->file_extension);
            r->file_extension = d;
        }
    }
    if ((v = dn_value_map_get(dict, "record_to"))) {
        if (v->type != DN_VALUE_LIST)
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "'record_to' of %s must be a list such as [file, memory]", owner);
        int tf = 0, tm = 0, ts = 0;
        for (size_t k = 0; k < dn_value_len(v); k++) {
            const dn_value *x = dn_value_list_at(v, k);
            const char *t = dn_value_str(x);
            if (t && strcmp(t, "file") == 0)
                tf = 1;
            else if (t && strcmp(t, "memory") == 0)
                tm = 1;
            else if (t && strcmp(t, "screen") == 0)
                ts = 1;
            else
                return dn_error_set(err, DN_EINPUT, vm(x), NULL,
                                    "'record_to' of %s: '%s' is not one of file, memory, screen",
                                    owner, t ? t : dn_value_kind(x));
        }
        if (commit) {
            dn_col_i32(b, DN_RC_TO_FILE)[i] = tf;
            dn_col_i32(b, DN_RC_TO_MEMORY)[i] = tm;
            dn_col_i32(b, DN_RC_TO_SCREEN)[i] = ts;
        }
    }
    if ((v = dn_value_map_get(dict, "n_events"))) {
        int64_t n;
        if (!dn_value_get_integral(v, &n) || n != 0)
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "'n_events' of %s can only be set to 0 (clears the events)", owner);
        if (commit)
            clear_memory(r);
    }
    if ((v = dn_value_map_get(dict, "events")) || (v = dn_value_map_get(dict, "filenames")))
        return dn_error_set(err, DN_EINPUT, vm(v), NULL, "'%s' of %s is read-only",
                            dn_value_map_get(dict, "events") ? "events" : "filenames", owner);
    if ((v = dn_value_map_get(dict, "record_from"))) {
        if (!is_mm(b))
            return dn_error_set(err, DN_EINPUT, vm(v), NULL, "unknown parameter 'record_from'");
        if (v->type != DN_VALUE_LIST)
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "'record_from' of %s must be a list of recordable names", owner);
        for (size_t k = 0; k < dn_value_len(v); k++)
            if (!dn_value_str(dn_value_list_at(v, k)))
                return dn_error_set(err, DN_EINPUT, vm(dn_value_list_at(v, k)), NULL,
                                    "'record_from' of %s must be a list of recordable names",
                                    owner);
        if (r->connected)
            return dn_error_set(err, DN_EINPUT, vm(v), NULL,
                                "'record_from' of %s cannot change after it was connected", owner);
        if (commit) {
            size_t n = dn_value_len(v);
            char **names = calloc(n + 1, sizeof *names);
            if (!names)
                return dn_oom(err);
            for (size_t k = 0; k < n; k++)
                if (!(names[k] = strdup(dn_value_str(dn_value_list_at(v, k))))) {
                    for (size_t j = 0; j < k; j++)
                        free(names[j]);
                    free(names);
                    return dn_oom(err);
                }
            for (int k = 0; k < r->n_record_from; k++)
                free(r->record_from[k]);
            free(r->record_from);
            r->record_from = names;
            r->n_record_from = (int)n;
        }
    }
    for (int w = 0; w < 2; w++) {
        const char *key = w ? "targets" : "senders";
        if (!(v = dn_value_map_get(dict, key)))
            continue;
        if (!is_wr(b))
            return dn_error_set(err, DN_EINPUT, vm(v), NULL, "unknown parameter '%s'", key);
        dn_gid *g = NULL;
        size_t n = 0;
        dn_status st = parse_gid_list(v, key, owner, &g, &n, err);
        if (st != DN_OK)
            return st;
        if (!commit) {
            free(g);
            continue;
        }
        if (w) {
            free(r->f_targets);
            r->f_targets = g;
            r->nf_targets = n;
        } else {
            free(r->f_senders);
            r->f_senders = g;
            r->nf_senders = n;
        }
    }
    return DN_OK;
}

dn_status dn_recorder_apply(dn_block *b, size_t i, double *rec, const bool *changed, dn_error *err)
{
    const dn_model *m = b->model;
    int fs = dn_field_index(m->fields, m->n_fields, "start");
    int fe = dn_field_index(m->fields, m->n_fields, "stop");
    int fb = dn_field_index(m->fields, m->n_fields, "binary");
    if (rec[fe] < rec[fs])
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "'stop' (%g ms) of %s must be >= 'start' (%g ms)", rec[fe], nm_name(b),
                            rec[fs]);
    if (rec[fb] != 0)
        return dn_error_set(err, DN_EINPUT, NULL, NULL,
                            "binary recorder files are not supported (%s); use ASCII", nm_name(b));
    if (is_mm(b)) {
        int fi = dn_field_index(m->fields, m->n_fields, "interval");
        int fo = dn_field_index(m->fields, m->n_fields, "offset");
        if ((changed[fi] || changed[fo]) && R(b, i)->connected)
            return dn_error_set(err, DN_EINPUT, NULL, NULL,
                                "'interval' and 'offset' of %s cannot change after it was "
                                "connected",
                                nm_name(b));
    }
    return DN_OK;
}

/* a list value of n entries built by `make(k)` */
static dn_status put_list_u32(dn_value *map, const char *key, const uint32_t *a, size_t n)
{
    dn_value *l = dn_value_list();
    if (!l)
        return DN_ENOMEM;
    for (size_t k = 0; k < n; k++)
        if (dn_value_list_append(l, dn_value_int(a[k])) != DN_OK) {
            dn_value_free(l);
            return DN_ENOMEM;
        }
    return dn_value_map_set(map, key, l);
}

static dn_status put_list_i32(dn_value *map, const char *key, const int32_t *a, size_t n)
{
    dn_value *l = dn_value_list();
    if (!l)
        return DN_ENOMEM;
    for (size_t k = 0; k < n; k++)
        if (dn_value_list_append(l, dn_value_int(a[k])) != DN_OK) {
            dn_value_free(l);
            return DN_ENOMEM;
        }
    return dn_value_map_set(map, key, l);
}

static dn_status put_list_d(dn_value *map, const char *key, const double *a, size_t n,
                            size_t stride)
{
    dn_value *l = dn_value_list();
    if (!l)
        return DN_ENOMEM;
    for (size_t k = 0; k < n; k++)
        if (dn_value_list_append(l, dn_value_double(a[k * stride])) != DN_OK) {
            dn_value_free(l);
            return DN_ENOMEM;
        }
    return dn_value_map_set(map, key, l);
}

/* The replicas of node i of b on every VP (devices are replicated, spec §1.11). */
static size_t replicas(const dn_block *b, size_t i, const dn_calib *c, dn_recorder **out)
{
    const dn_engine *e = c ? c->engine : NULL;
    dn_pop *p = e ? dn_find_pop(e, dn_block_gid(b, i)) : NULL;
    if (!p || b->vp < 0) {
        out[0] = R(b, i);
        return 1;
    }
    for (int v = 0; v < e->n_vp; v++)
        out[v] = R(p->blk[v], i);
    return (size_t)e->n_vp;
}

dn_status dn_recorder_get_extra(const dn_block *b, size_t i, dn_value *out, const dn_calib *c)
{
    dn_recorder *r = R(b, i);
    dn_status st = DN_OK;
    st |= dn_put_string(out, "label", r->label ? r->label : "");
    const char *ext = r->file_extension ? r->file_extension
                      : is_mm(b)        ? "dat"
                      : is_wr(b)        ? "csv"
                                        : "gdf";
    st |= dn_put_string(out, "file_extension", ext);
    if (st != DN_OK)
        return DN_ENOMEM;
    dn_value *rt = dn_value_list();
    if (!rt)
        return DN_ENOMEM;
    if (flag(b, DN_RC_TO_FILE, i))
        st |= dn_value_list_append(rt, dn_value_string("file"));
    if (flag(b, DN_RC_TO_MEMORY, i))
        st |= dn_value_list_append(rt, dn_value_string("memory"));
    if (flag(b, DN_RC_TO_SCREEN, i))
        st |= dn_value_list_append(rt, dn_value_string("screen"));
    if (st != DN_OK || dn_value_map_set(out, "record_to", rt) != DN_OK)
        return DN_ENOMEM;
    if (is_mm(b)) {
        dn_value *l = dn_value_list();
        if (!l)
            return DN_ENOMEM;
        for (int k = 0; k < r->n_record_from; k++)
            if (dn_value_list_append(l, dn_value_string(r->record_from[k])) != DN_OK) {
                dn_value_free(l);
                return DN_ENOMEM;
            }
        if (dn_value_map_set(out, "record_from", l) != DN_OK)
            return DN_ENOMEM;
    }
    if (is_wr(b)) {
        if (put_list_u32(out, "senders", r->f_senders, r->nf_senders) != DN_OK ||
            put_list_u32(out, "targets", r->f_targets, r->nf_targets) != DN_OK)
            return DN_ENOMEM;
    }
    /* events merged over replicas in VP order */
    size_t nv = c && c->engine ? (size_t)((const dn_engine *)c->engine)->n_vp : 1;
    dn_recorder **reps = malloc((nv + 1) * sizeof *reps);
    if (!reps)
        return DN_ENOMEM;
    size_t nr = replicas(b, i, c, reps);
    size_t total = 0;
    for (size_t k = 0; k < nr; k++)
        total += reps[k]->n_events;
    dn_recorder agg;
    memset(&agg, 0, sizeof agg);
    int nvals = is_mm(b) ? r->n_record_from : 0;
    bool wr = is_wr(b);
    agg.m_senders = malloc((total + 1) * sizeof(uint32_t));
    agg.m_steps = malloc((total + 1) * sizeof(int64_t));
    agg.m_targets = malloc((total + 1) * sizeof(uint32_t));
    agg.m_ports = malloc((total + 1) * sizeof(int32_t));
    agg.m_rports = malloc((total + 1) * sizeof(int32_t));
    agg.m_weights = malloc((total + 1) * sizeof(double));
    agg.m_values = malloc((total * (size_t)nvals + 1) * sizeof(double));
    if (!agg.m_senders || !agg.m_steps || !agg.m_targets || !agg.m_ports || !agg.m_rports ||
        !agg.m_weights || !agg.m_values) {
        clear_memory(&agg);
        free(reps);
        return DN_ENOMEM;
    }
    size_t at = 0;
    for (size_t k = 0; k < nr; k++) {
        dn_recorder *x = reps[k];
        for (size_t j = 0; j < x->n_events; j++, at++) {
            agg.m_senders[at] = x->m_senders[j];
            agg.m_steps[at] = x->m_steps[j];
            agg.m_targets[at] = wr ? x->m_targets[j] : 0;
            agg.m_ports[at] = wr ? x->m_ports[j] : 0;
            agg.m_rports[at] = wr ? x->m_rports[j] : 0;
            agg.m_weights[at] = wr ? x->m_weights[j] : 0;
            for (int q = 0; q < nvals && x->m_nvals == nvals; q++)
                agg.m_values[at * (size_t)nvals + (size_t)q] =
                    x->m_values[j * (size_t)nvals + (size_t)q];
        }
    }
    free(reps);
    dn_value *ev = dn_value_map();
    st = ev ? DN_OK : DN_ENOMEM;
    if (st == DN_OK && flag(b, DN_RC_WITHGID, i))
        st = put_list_u32(ev, "senders", agg.m_senders, total);
    if (st == DN_OK && wr && flag(b, DN_RC_WITHTARGETGID, i))
        st = put_list_u32(ev, "targets", agg.m_targets, total);
    if (st == DN_OK && wr && flag(b, DN_RC_WITHPORT, i))
        st = put_list_i32(ev, "ports", agg.m_ports, total);
    if (st == DN_OK && wr && flag(b, DN_RC_WITHRPORT, i))
        st = put_list_i32(ev, "receptors", agg.m_rports, total);
    if (st == DN_OK && flag(b, DN_RC_WITHTIME, i)) {
        dn_value *l = dn_value_list();
        if (!l)
            st = DN_ENOMEM;
        double mspt = c ? (double)c->tics_per_step / (double)c->tics_per_ms : 0.1;
        (void)mspt;
        for (size_t k = 0; k < total && st == DN_OK; k++) {
            if (flag(b, DN_RC_TIME_IN_STEPS, i))
                st = dn_value_list_append(l, dn_value_int(agg.m_steps[k]));
            else
                st = dn_value_list_append(
                    l, dn_value_double((double)(agg.m_steps[k] * (c ? c->tics_per_step : 100)) /
                                       (double)(c ? c->tics_per_ms : 1000)));
        }
        if (st == DN_OK)
            st = dn_value_map_set(ev, "times", l);
        else
            dn_value_free(l);
    }
    if (st == DN_OK && wr && flag(b, DN_RC_WITHWEIGHT, i))
        st = put_list_d(ev, "weights", agg.m_weights, total, 1);
    for (int q = 0; q < nvals && st == DN_OK; q++)
        st = put_list_d(ev, r->record_from[q], agg.m_values + q, total, (size_t)nvals);
    clear_memory(&agg);
    if (st != DN_OK) {
        dn_value_free(ev);
        return DN_ENOMEM;
    }
    if (dn_value_map_set(out, "events", ev) != DN_OK ||
        dn_put_int(out, "n_events", (int64_t)total) != DN_OK)
        return DN_ENOMEM;
    /* file names of the replicas that have one */
    dn_value *fl = dn_value_list();
    if (!fl)
        return DN_ENOMEM;
    dn_recorder **reps2 = malloc((nv + 1) * sizeof *reps2);
    if (!reps2) {
        dn_value_free(fl);
        return DN_ENOMEM;
    }
    nr = replicas(b, i, c, reps2);
    for (size_t k = 0; k < nr && st == DN_OK; k++)
        if (reps2[k]->filename)
            st = dn_value_list_append(fl, dn_value_string(reps2[k]->filename));
    free(reps2);
    if (st != DN_OK || dn_value_map_set(out, "filenames", fl) != DN_OK)
        return DN_ENOMEM;
    return DN_OK;
}

/* ---- files ---------------------------------------------------------------------------------- */

static int digits(uint64_t x)
{
    int d = 1;
    while (x >= 10) {
        x /= 10;
        d++;
    }
    return d;
}

/* NEST 2.20's name (spec §5.1): [data_path/]prefix(label|model)-GID-VP.ext, GID padded to the
 * digits of the network size, VP to the digits of the number of VPs. */
static char *make_filename(const dn_block *b, size_t i, const dn_calib *c, dn_error *err)
{
    const dn_engine *e = c->engine;
    dn_recorder *r = R(b, i);
    const char *ext = r->file_extension ? r->file_extension
                      : is_mm(b)        ? "dat"
                      : is_wr(b)        ? "csv"
                                        : "gdf";
    const char *base = r->label && *r->label ? r->label : nm_name(b);
    bool use_gid = flag(b, DN_RC_USE_GID_IN_FILENAME, i);
    if (!use_gid && !(r->label && *r->label)) {
        dn_error_set(err, DN_EINPUT, NULL, NULL, "%s %u: use_gid_in_filename false needs a label",
                     nm_name(b), dn_block_gid(b, i));
        return NULL;
    }
    int gd = digits((uint64_t)e->next_gid); /* floor(log10(network_size)) + 1 */
    int vd = digits((uint64_t)e->n_vp);
    size_t len = strlen(e->data_path) + strlen(e->data_prefix) + strlen(base) + strlen(ext) + 64;
    char *s = malloc(len);
    if (!s) {
        dn_oom(err);
        return NULL;
    }
    const char *sep = *e->data_path ? "/" : "";
    if (use_gid)
        snprintf(s, len, "%s%s%s%s-%0*u-%0*d.%s", e->data_path, sep, e->data_prefix, base, gd,
                 dn_block_gid(b, i), vd, b->vp, ext);
    else
        snprintf(s, len, "%s%s%s%s-%0*d.%s", e->data_path, sep, e->data_prefix, base, vd, b->vp,
                 ext);
    return s;
}

dn_status dn_recorder_calibrate(dn_block *b, const dn_calib *c, dn_error *err)
{
    const dn_engine *e = c->engine;
    for (size_t i = 0; i < b->n; i++) {
        dn_recorder *r = R(b, i);
        if (!flag(b, DN_RC_TO_FILE, i)) {
            if (r->f) {
                fclose(r->f);
                r->f = NULL;
            }
            continue;
        }
        char *name = make_filename(b, i, c, err);
        if (!name)
            return err ? err->status : DN_ENOMEM;
        if (r->f && r->filename && strcmp(r->filename, name) == 0) {
            free(name);
            continue;
        }
        if (r->f) {
            fclose(r->f);
            r->f = NULL;
        }
        if (!e->overwrite_files && access(name, F_OK) == 0) {
            dn_status st = dn_error_set(err, DN_EINPUT, NULL, NULL,
                                        "recorder file '%s' exists already; remove it or set the "
                                        "kernel parameter overwrite_files to true",
                                        name);
            free(name);
            return st;
        }
        r->f = fopen(name, "w");
        if (!r->f) {
            dn_status st =
                dn_error_set(err, DN_ERUNTIME, NULL, NULL, "cannot create recorder file '%s': %s",
                             name, strerror(errno));
            free(name);
            return st;
        }
        free(r->filename);
        r->filename = name;
    }
    return DN_OK;
}

dn_status dn_recorder_finalize(dn_block *b, const dn_calib *c, dn_error *err)
{
    (void)c;
    for (size_t i = 0; i < b->n; i++) {
        dn_recorder *r = R(b, i);
        if (!r->f)
            continue;
        bool bad = false;
        if (flag(b, DN_RC_FLUSH_AFTER_SIMULATE, i) || flag(b, DN_RC_CLOSE_AFTER_SIMULATE, i))
            bad |= fflush(r->f) != 0;
        bad |= ferror(r->f) != 0;
        if (flag(b, DN_RC_CLOSE_AFTER_SIMULATE, i)) {
            bad |= fclose(r->f) != 0;
            r->f = NULL;
        }
        if (bad)
            return dn_error_set(err, DN_ERUNTIME, NULL, NULL,
                                "writing recorder file '%s' failed: %s", r->filename,
                                strerror(errno));
    }
    return DN_OK;
}

/* spec §1.9 item 5: memory cleared, files closed if close_on_reset, pending data dropped */
void dn_recorder_reset(dn_block *b)
{
    for (size_t i = 0; i < b->n; i++) {
        dn_recorder *r = R(b, i);
        clear_memory(r);
        r->nnow = r->nnext = r->nq = 0;
        if (r->f && flag(b, DN_RC_CLOSE_ON_RESET, i)) {
            fclose(r->f);
            r->f = NULL;
        }
    }
}

dn_status dn_recorder_update(dn_block *b, size_t first, size_t last, const dn_slice *s,
                             dn_error *err)
{
    /* recorders act in the engine's collection phases (dn_mm_collect etc.) */
    (void)b;
    (void)first;
    (void)last;
    (void)s;
    (void)err;
    return DN_OK;
}

dn_window dn_recorder_window(const dn_block *b, size_t i, const dn_calib *c)
{
    double o = dn_col_f64(b, DN_RC_ORIGIN)[i], a = dn_col_f64(b, DN_RC_START)[i],
           z = dn_col_f64(b, DN_RC_STOP)[i];
    dn_window w;
    int64_t so = 0, sa = 0, sz = 0;
    dn_calib_on_grid(c, o, &so);
    dn_calib_on_grid(c, a, &sa);
    w.t_min = so + sa;
    if (isinf(z))
        w.t_max = INT64_MAX;
    else {
        dn_calib_on_grid(c, z, &sz);
        w.t_max = so + sz;
    }
    return w;
}

/* ---- recording --------------------------------------------------------------------------------
 */

static bool mem_grow(dn_recorder *r, bool wr, int nvals)
{
    if (r->n_events < r->cap_events && r->m_nvals == nvals)
        return true;
    size_t cap = r->cap_events ? 2 * r->cap_events : 256;
    uint32_t *s = realloc(r->m_senders, cap * sizeof *s);
    if (!s)
        return false;
    r->m_senders = s;
    int64_t *t = realloc(r->m_steps, cap * sizeof *t);
    if (!t)
        return false;
    r->m_steps = t;
    if (wr) {
        uint32_t *g = realloc(r->m_targets, cap * sizeof *g);
        if (!g)
            return false;
        r->m_targets = g;
        int32_t *p = realloc(r->m_ports, cap * sizeof *p);
        if (!p)
            return false;
        r->m_ports = p;
        p = realloc(r->m_rports, cap * sizeof *p);
        if (!p)
            return false;
        r->m_rports = p;
        double *w = realloc(r->m_weights, cap * sizeof *w);
        if (!w)
            return false;
        r->m_weights = w;
    }
    if (nvals > 0) {
        double *v = realloc(r->m_values, cap * (size_t)nvals * sizeof *v);
        if (!v)
            return false;
        r->m_values = v;
    }
    r->m_nvals = nvals;
    r->cap_events = cap;
    return true;
}

static int fmt_num(char *p, size_t n, double x, int prec, bool sci)
{
    return snprintf(p, n, sci ? "%.*e\t" : "%.*f\t", prec, x);
}

void dn_recorder_record(dn_block *b, size_t i, const dn_recevent *ev, const dn_calib *c)
{
    dn_recorder *r = R(b, i);
    bool wr = is_wr(b);
    if (flag(b, DN_RC_TO_MEMORY, i)) {
        if (!mem_grow(r, wr, ev->nvalues))
            return; /* out of memory: the event is dropped (files still get it) */
        size_t k = r->n_events++;
        r->m_senders[k] = ev->sender;
        r->m_steps[k] = ev->stamp;
        if (wr) {
            r->m_targets[k] = ev->target;
            r->m_ports[k] = ev->port;
            r->m_rports[k] = ev->rport;
            r->m_weights[k] = ev->weight;
        }
        for (int q = 0; q < ev->nvalues; q++)
            r->m_values[k * (size_t)ev->nvalues + (size_t)q] = ev->values[q];
    }
    bool tf = r->f && flag(b, DN_RC_TO_FILE, i), ts = flag(b, DN_RC_TO_SCREEN, i);
    if (!tf && !ts)
        return;
    char line[4096];
    size_t at = 0, cap = sizeof line;
    int prec = flag(b, DN_RC_PRECISION, i);
    bool sci = flag(b, DN_RC_SCIENTIFIC, i);
#define PUT(...)                                                                                   \
    do {                                                                                           \
        int w_ = snprintf(line + at, cap - at, __VA_ARGS__);                                       \
        if (w_ > 0 && (size_t)w_ < cap - at)                                                       \
            at += (size_t)w_;                                                                      \
    } while (0)
    if (flag(b, DN_RC_WITHGID, i))
        PUT("%u\t", ev->sender);
    if (flag(b, DN_RC_WITHTARGETGID, i))
        PUT("%u\t", ev->target);
    if (flag(b, DN_RC_WITHPORT, i))
        PUT("%d\t", ev->port);
    if (flag(b, DN_RC_WITHRPORT, i))
        PUT("%d\t", ev->rport);
    if (flag(b, DN_RC_WITHTIME, i)) {
        if (flag(b, DN_RC_TIME_IN_STEPS, i))
            PUT("%lld\t", (long long)ev->stamp);
        else {
            /* Time::get_ms: tics * ms_per_tic */
            double ms = (double)(ev->stamp * c->tics_per_step) * (1.0 / (double)c->tics_per_ms);
            int w_ = fmt_num(line + at, cap - at, ms, prec, sci);
            if (w_ > 0 && (size_t)w_ < cap - at)
                at += (size_t)w_;
        }
    }
    if (flag(b, DN_RC_WITHWEIGHT, i)) {
        int w_ = fmt_num(line + at, cap - at, ev->weight, prec, sci);
        if (w_ > 0 && (size_t)w_ < cap - at)
            at += (size_t)w_;
    }
    for (int q = 0; q < ev->nvalues; q++) {
        int w_ = fmt_num(line + at, cap - at, ev->values[q], prec, sci);
        if (w_ > 0 && (size_t)w_ < cap - at)
            at += (size_t)w_;
    }
#undef PUT
    if (at < cap - 1)
        line[at++] = '\n';
    if (tf) {
        fwrite(line, 1, at, r->f);
        if (flag(b, DN_RC_FLUSH_RECORDS, i))
            fflush(r->f);
    }
    if (ts)
        fwrite(line, 1, at, stdout);
}

/* ---- engine phases ------------------------------------------------------------------------- */

static dn_calib vp_calib(dn_engine *e)
{
    dn_calib c;
    dn_engine_calib(e, &c);
    return c;
}

/* spec §5.2: at the start of each full slice, write the samples of the previous slice, per
 * logger in connection order, dropping labels outside (start, stop] as they are now. */
void dn_mm_collect(dn_engine *e, dn_vp *vp)
{
    dn_calib c = vp_calib(e);
    for (size_t k = 0; k < vp->nloggers; k++) {
        dn_logger *l = &vp->loggers[k];
        if (l->nsamp == 0)
            continue;
        dn_window w = dn_recorder_window(l->mb, l->mi, &c);
        for (int j = 0; j < l->nsamp; j++) {
            if (l->steps[j] <= w.t_min || l->steps[j] > w.t_max)
                continue;
            dn_recevent ev = {
                l->tgt_gid, 0, 0, 0, l->steps[j], 0, l->vals + (size_t)j * (size_t)l->nvals,
                l->nvals};
            dn_recorder_record(l->mb, l->mi, &ev, &c);
        }
        l->nsamp = 0;
    }
}

static bool detector_push(dn_recorder *r, bool next, dn_gid g, int64_t stamp)
{
    dn_spikerec **a = next ? &r->next : &r->now;
    size_t *n = next ? &r->nnext : &r->nnow, *cap = next ? &r->capnext : &r->capnow;
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        dn_spikerec *x = realloc(*a, nc * sizeof *x);
        if (!x)
            return false;
        *a = x;
        *cap = nc;
    }
    (*a)[(*n)++] = (dn_spikerec){g, stamp};
    return true;
}

static void detector_route(dn_engine *e, dn_vp *vp, bool lower, dn_calib *c)
{
    (void)e;
    for (size_t k = vp->det_done; k < vp->nsl[vp->cur]; k++) {
        const dn_spike *sp = &vp->sl[vp->cur][k];
        if (!vp->det_first || sp->gid >= e->next_gid)
            continue;
        for (uint32_t j = vp->det_first[sp->gid]; j < vp->det_first[sp->gid + 1]; j++) {
            dn_detref *d = &vp->dets[j];
            if ((d->gid > sp->gid) != lower)
                continue;
            int64_t stamp = vp->origin + sp->lag + 1;
            dn_window w = dn_recorder_window(d->b, d->i, c);
            if (stamp <= w.t_min || stamp > w.t_max)
                continue;
            dn_recorder *r = R(d->b, d->i);
            for (uint32_t m = 0; m < sp->mult; m++)
                detector_push(r, false, sp->gid, stamp);
        }
    }
}

/* spec §5.3: spikes of neurons with smaller GIDs than the detector are written in the same
 * update, the others at the detector's next update. */
void dn_detectors_phase(dn_engine *e, dn_vp *vp)
{
    dn_calib c = vp_calib(e);
    size_t ns = vp->nsl[vp->cur];
    if (ns - vp->det_done > 1)
        qsort(vp->sl[vp->cur] + vp->det_done, ns - vp->det_done, sizeof(dn_spike), dn_spike_cmp);
    detector_route(e, vp, true, &c);
    for (size_t p = 0; p < e->npops; p++) {
        dn_block *b = e->pops[p]->blk[vp->vp];
        if (strcmp(b->model->name, "spike_detector") != 0)
            continue;
        for (size_t i = 0; i < b->n; i++) {
            dn_recorder *r = R(b, i);
            for (size_t k = 0; k < r->nnow; k++) {
                dn_recevent ev = {r->now[k].gid, 0, 0, 0, r->now[k].stamp, 0, NULL, 0};
                dn_recorder_record(b, i, &ev, &c);
            }
            r->nnow = 0;
        }
    }
    detector_route(e, vp, false, &c);
    for (size_t p = 0; p < e->npops; p++) {
        dn_block *b = e->pops[p]->blk[vp->vp];
        if (strcmp(b->model->name, "spike_detector") != 0)
            continue;
        for (size_t i = 0; i < b->n; i++) {
            dn_recorder *r = R(b, i);
            for (size_t k = 0; k < r->nnext; k++)
                detector_push(r, false, r->next[k].gid, r->next[k].stamp);
            r->nnext = 0;
        }
    }
    vp->det_done = vp->nsl[vp->cur];
}

/* a device spike to a detector: written one update later (spec §5.3) */
void dn_detector_push_device(dn_engine *e, dn_vp *vp, dn_gid src, int64_t stamp, uint32_t mult)
{
    if (!vp->det_first || src >= e->next_gid)
        return;
    dn_calib c = vp_calib(e);
    for (uint32_t j = vp->det_first[src]; j < vp->det_first[src + 1]; j++) {
        dn_detref *d = &vp->dets[j];
        dn_window w = dn_recorder_window(d->b, d->i, &c);
        if (stamp <= w.t_min || stamp > w.t_max)
            continue;
        for (uint32_t m = 0; m < mult; m++)
            detector_push(R(d->b, d->i), true, src, stamp);
    }
}

static bool in_sorted(const dn_gid *a, size_t n, dn_gid g)
{
    return bsearch(&g, a, n, sizeof g, gid_cmp) != NULL;
}

void dn_wr_push(dn_engine *e, dn_vp *vp, dn_gid wrg, const dn_wrevent *ev)
{
    dn_block *b;
    size_t i;
    if (!dn_locate(e, wrg, vp->vp, &b, &i))
        return;
    dn_recorder *r = R(b, i);
    if (r->nf_senders && !in_sorted(r->f_senders, r->nf_senders, ev->sender))
        return;
    if (r->nf_targets && !in_sorted(r->f_targets, r->nf_targets, ev->target))
        return;
    dn_calib c = vp_calib(e);
    dn_window w = dn_recorder_window(b, i, &c);
    if (ev->stamp <= w.t_min || ev->stamp > w.t_max)
        return;
    if (r->nq == r->capq) {
        size_t nc = r->capq ? 2 * r->capq : 256;
        dn_wrevent *x = realloc(r->q, nc * sizeof *x);
        if (!x)
            return;
        r->q = x;
        r->capq = nc;
    }
    r->q[r->nq++] = *ev;
}

/* spec §5.4: queued events are written at the recorder's next update */
void dn_wr_phase(dn_engine *e, dn_vp *vp)
{
    dn_calib c = vp_calib(e);
    for (size_t p = 0; p < e->npops; p++) {
        dn_block *b = e->pops[p]->blk[vp->vp];
        if (!is_wr(b))
            continue;
        for (size_t i = 0; i < b->n; i++) {
            dn_recorder *r = R(b, i);
            for (size_t k = 0; k < r->nq; k++) {
                dn_recevent ev = {r->q[k].sender, r->q[k].target, 0,    r->q[k].rport,
                                  r->q[k].stamp,  r->q[k].weight, NULL, 0};
                dn_recorder_record(b, i, &ev, &c);
            }
            r->nq = 0;
        }
    }
}

int64_t dn_mm_interval(const dn_block *mb, size_t mi, const dn_calib *c, int64_t *offset)
{
    int64_t iv = 1, of = 0;
    dn_calib_on_grid(c, dn_col_f64(mb, DN_RC_INTERVAL)[mi], &iv);
    dn_calib_on_grid(c, dn_col_f64(mb, DN_RC_OFFSET)[mi], &of);
    if (iv < 1)
        iv = 1;
    *offset = of;
    return iv;
}

const char *dn_recorder_filename(const dn_block *b, size_t i)
{
    return R(b, i)->filename;
}

size_t dn_recorder_n_events(const dn_block *b, size_t i)
{
    return R(b, i)->n_events;
}
