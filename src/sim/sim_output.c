/* The output directory (deNEST spec §8 with decisions.md's fixes): checked before anything is
 * built (usable, writable, and holding no other run unless overwrite_files), then, after the
 * network exists, the previous run's OWN outputs are removed (the three root files, recorder
 * metadata in data/ and the raw files they list; nothing else is ever deleted) and
 * parameter_tree.yml, versions.txt, session_times.yml and data/<label>.yml are written. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "denest/log.h"
#include "denest/yaml.h"
#include "sim/sim_internal.h"

static const char *const root_files[] = {"parameter_tree.yml", "versions.txt", "session_times.yml"};
#define N_ROOT_FILES 3

static const char *out_path = "simulation/params/output_dir";

/* Can we create entries in the existing directory `dir`? 0 or an errno value. Root passes
 * permission bits, so we really try (and remove what we made). */
static int probe_dir(const char *dir)
{
    char *p = sim_strfmt("%s/.denest-probe-%ld", dir, (long)getpid());
    if (!p)
        return ENOMEM;
    int rc = 0;
    if (mkdir(p, 0700) != 0)
        rc = errno;
    else
        rmdir(p);
    free(p);
    return rc;
}

/* Does `data` (an existing directory) hold any file? Returns the first one's name (malloc'ed). */
static char *first_file(const char *data)
{
    DIR *d = opendir(data);
    if (!d)
        return NULL;
    char *found = NULL;
    struct dirent *en;
    while (!found && (en = readdir(d))) {
        if (en->d_name[0] == '.' && (!en->d_name[1] || (en->d_name[1] == '.' && !en->d_name[2])))
            continue;
        char *p = sim_join(data, en->d_name);
        struct stat sb;
        if (p && stat(p, &sb) == 0 && S_ISREG(sb.st_mode))
            found = p, p = NULL;
        free(p);
    }
    closedir(d);
    return found;
}

/* The path of a file showing that `out` holds a run, or NULL. */
static char *previous_run(const char *out, const char *data)
{
    for (int i = 0; i < N_ROOT_FILES; i++) {
        char *p = sim_join(out, root_files[i]);
        if (p && access(p, F_OK) == 0)
            return p;
        free(p);
    }
    return first_file(data);
}

dn_status sim_output_check(const dn_sim *sim, dn_error *err)
{
    const char *out = sim->output_dir;
    const dn_mark *mk = sim->out_mark.file ? &sim->out_mark : NULL;
    struct stat sb;
    if (!*out)
        return dn_error_set(err, DN_EINPUT, mk, out_path, "output_dir is empty; name a directory");
    if (stat(out, &sb) != 0) {
        /* Not there yet: the nearest existing ancestor must be a directory we can write. */
        char *anc = sim_strdup(out);
        if (!anc)
            return sim_oom(err);
        int rc = 0;
        for (;;) {
            char *slash = strrchr(anc, '/');
            if (!slash) {
                strcpy(anc, ".");
            } else if (slash == anc) {
                anc[1] = '\0';
            } else {
                *slash = '\0';
            }
            if (stat(anc, &sb) == 0) {
                rc = S_ISDIR(sb.st_mode) ? probe_dir(anc) : ENOTDIR;
                break;
            }
            if (errno != ENOENT || strcmp(anc, ".") == 0 || strcmp(anc, "/") == 0) {
                rc = errno;
                break;
            }
        }
        dn_status st = DN_OK;
        if (rc)
            st = dn_error_set(err, DN_EINPUT, mk, out_path,
                              "cannot create output directory '%s': '%s' %s; choose another "
                              "output_dir (-o DIR)",
                              out, anc,
                              rc == ENOTDIR                                ? "is not a directory"
                              : rc == EACCES || rc == EPERM || rc == EROFS ? "is not writable"
                                                                           : strerror(rc));
        free(anc);
        return st;
    }
    if (!S_ISDIR(sb.st_mode))
        return dn_error_set(err, DN_EINPUT, mk, out_path,
                            "output_dir '%s' exists and is not a directory; choose another "
                            "output_dir (-o DIR)",
                            out);
    int rc = probe_dir(out);
    if (rc)
        return dn_error_set(err, DN_EINPUT, mk, out_path,
                            "output directory '%s' is not writable (%s); choose another "
                            "output_dir (-o DIR)",
                            out, strerror(rc));
    if (stat(sim->data_dir, &sb) == 0) {
        if (!S_ISDIR(sb.st_mode))
            return dn_error_set(err, DN_EINPUT, mk, out_path,
                                "'%s' exists and is not a directory; remove it or choose "
                                "another output_dir (-o DIR)",
                                sim->data_dir);
        if ((rc = probe_dir(sim->data_dir)) != 0)
            return dn_error_set(err, DN_EINPUT, mk, out_path,
                                "output directory '%s' is not writable (%s)", sim->data_dir,
                                strerror(rc));
    }
    char *prev = previous_run(out, sim->data_dir);
    if (prev && !sim->overwrite_files) {
        dn_status st = dn_error_set(
            err, DN_EINPUT, mk, out_path,
            "output directory '%s' holds the output of another run ('%s' exists); choose another "
            "output_dir (-o DIR), or set `overwrite_files: true` in kernel nest_params to replace "
            "that run's files",
            out, prev);
        free(prev);
        return st;
    }
    free(prev);
    return DN_OK;
}

/* A name listed in old metadata that we may delete: a plain file name inside data/. */
static bool plain_name(const char *s)
{
    return s && *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* Remove the previous run's own outputs; returns the number of files removed (or -1 with err
 * set on a failure to remove). */
static long remove_previous(const dn_sim *sim, dn_error *err)
{
    long n = 0;
    for (int i = 0; i < N_ROOT_FILES; i++) {
        char *p = sim_join(sim->output_dir, root_files[i]);
        if (!p)
            return sim_oom(err), -1;
        if (unlink(p) == 0)
            n++;
        else if (errno != ENOENT) {
            dn_error_set(err, DN_ERUNTIME, NULL, out_path, "cannot remove '%s': %s", p,
                         strerror(errno));
            free(p);
            return -1;
        }
        free(p);
    }
    DIR *d = opendir(sim->data_dir);
    if (!d)
        return n;
    struct dirent *en;
    /* Collect first: removing while reading a directory may skip entries. */
    char **ymls = NULL;
    size_t ny = 0;
    while ((en = readdir(d))) {
        size_t len = strlen(en->d_name);
        if (len > 4 && strcmp(en->d_name + len - 4, ".yml") == 0 && en->d_name[0] != '.') {
            char **g = realloc(ymls, (ny + 1) * sizeof *g);
            char *s = sim_strdup(en->d_name);
            if (!g || !s) {
                free(s);
                if (g)
                    ymls = g;
                for (size_t i = 0; i < ny; i++)
                    free(ymls[i]);
                free(ymls);
                closedir(d);
                return sim_oom(err), -1;
            }
            ymls = g;
            ymls[ny++] = s;
        }
    }
    closedir(d);
    for (size_t i = 0; i < ny; i++) {
        char *p = sim_join(sim->data_dir, ymls[i]);
        dn_value *meta = NULL;
        dn_error ignore;
        if (p && dn_yaml_load_file(p, &meta, &ignore) == DN_OK && meta &&
            meta->type == DN_VALUE_MAP && dn_value_map_get(meta, "label") &&
            dn_value_map_get(meta, "type") && dn_value_map_get(meta, "filenames")) {
            /* recorder metadata of a deNEST(-C) run: its raw files, then itself */
            const dn_value *files = dn_value_map_get(meta, "filenames");
            for (size_t k = 0; k < dn_value_len(files); k++) {
                const char *f = dn_value_str(dn_value_list_at(files, k));
                if (!plain_name(f))
                    continue;
                char *fp = sim_join(sim->data_dir, f);
                if (fp && unlink(fp) == 0)
                    n++;
                free(fp);
            }
            if (unlink(p) == 0)
                n++;
        }
        dn_value_free(meta);
        free(p);
        free(ymls[i]);
    }
    free(ymls);
    return n;
}

static dn_status write_text(const char *path, const char *text, dn_error *err)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "cannot create '%s': %s", path,
                            strerror(errno));
    bool ok = fputs(text, f) >= 0;
    ok = fflush(f) == 0 && ok;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok)
        return dn_error_set(err, DN_ERUNTIME, NULL, NULL, "writing '%s' failed: %s", path,
                            strerror(e));
    return DN_OK;
}

static int cmp_session(const void *a, const void *b)
{
    const sim_session *x = *(const sim_session *const *)a, *y = *(const sim_session *const *)b;
    return strcmp(x->name, y->name);
}

/* session_times.yml (§8.5): keys sorted, values plain [start, end] lists (decisions.md). */
static dn_status session_times(const dn_sim *sim, dn_value **out, dn_error *err)
{
    const sim_session **order = malloc((sim->n_sessions ? sim->n_sessions : 1) * sizeof *order);
    dn_value *map = dn_value_map();
    dn_status st = order && map ? DN_OK : DN_ENOMEM;
    for (size_t i = 0; i < sim->n_sessions && order; i++)
        order[i] = &sim->sessions[i];
    if (order)
        qsort(order, sim->n_sessions, sizeof *order, cmp_session);
    for (size_t i = 0; i < sim->n_sessions && st == DN_OK; i++) {
        dn_value *pair = dn_value_list();
        if (!pair) {
            st = DN_ENOMEM;
            break;
        }
        st = dn_value_list_append(pair, dn_value_double(order[i]->start));
        if (st == DN_OK)
            st = dn_value_list_append(pair, dn_value_double(order[i]->end));
        if (st == DN_OK)
            st = dn_value_map_set(map, order[i]->name, pair);
        else
            dn_value_free(pair);
    }
    free(order);
    if (st != DN_OK) {
        dn_value_free(map);
        return sim_oom(err);
    }
    *out = map;
    return DN_OK;
}

static dn_status write_file(const dn_sim *sim, const char *dir, const char *name, const dn_value *v,
                            const char *text, dn_error *err)
{
    char *p = sim_join(dir, name);
    if (!p)
        return sim_oom(err);
    (void)sim;
    dn_status st = v ? dn_yaml_write_file(v, p, err) : write_text(p, text, err);
    free(p);
    return st;
}

dn_status sim_output_write(dn_sim *sim, dn_error *err)
{
    dn_log_info("simulation", "Saving simulation metadata...");
    char *prev = previous_run(sim->output_dir, sim->data_dir);
    if (prev) {
        free(prev);
        long n = remove_previous(sim, err);
        if (n < 0)
            return err ? err->status : DN_ERUNTIME;
        dn_log_info("io.save",
                    "Replaced the previous run in %s (overwrite_files: true): %ld of "
                    "its files removed",
                    sim->output_dir, n);
    }
    dn_log_info("io.save", "Creating output directory: %s", sim->output_dir);
    int rc = sim_mkdirs(sim->data_dir);
    if (rc)
        return dn_error_set(err, DN_ERUNTIME, NULL, out_path, "cannot create '%s': %s",
                            sim->data_dir, strerror(rc));
    dn_value *dict = dn_value_map();
    if (!dict || dn_value_map_set(dict, "data_path", dn_value_string(sim->data_dir)) != DN_OK) {
        dn_value_free(dict);
        return sim_oom(err);
    }
    dn_status st = dn_engine_set_kernel_status(sim->engine, dict, err);
    dn_value_free(dict);
    if (st != DN_OK)
        return st;

    char *p = sim_join(sim->output_dir, "parameter_tree.yml");
    if (!p)
        return sim_oom(err);
    st = dn_tree_write(sim->tree, p, err);
    free(p);
    if (st != DN_OK)
        return st;
    char *versions = sim_strfmt("denest-c=%s (deNEST %s compatible)\n"
                                "deNEST-C engine %s (NEST 2.20.2 behaviour)\n",
                                DN_SIM_VERSION, DN_SIM_DENEST_VERSION, DN_SIM_VERSION);
    if (!versions)
        return sim_oom(err);
    st = write_file(sim, sim->output_dir, "versions.txt", NULL, versions, err);
    free(versions);
    if (st != DN_OK)
        return st;
    dn_value *times = NULL;
    if ((st = session_times(sim, &times, err)) != DN_OK)
        return st;
    st = write_file(sim, sim->output_dir, "session_times.yml", times, NULL, err);
    dn_value_free(times);
    if (st != DN_OK)
        return st;
    for (size_t i = 0; i < dn_net_n_recorders(sim->net); i++) {
        const dn_net_recorder *r = dn_net_recorder_at(sim->net, i);
        char *name = sim_strfmt("%s.yml", r->label);
        if (!name)
            return sim_oom(err);
        st = write_file(sim, sim->data_dir, name, r->metadata, NULL, err);
        free(name);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}
