/* Extension modules (kernel.params.extension_modules, deNEST spec §6.1 step 7): find
 * lib<name>.so, load it with dlopen, check its interface version and call its dn_module_init
 * to register models with this run's engine (include/denest/module.h). */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "denest/log.h"
#include "denest/module.h"
#include "sim/sim_internal.h"

/* dlopen a file we know exists; on failure append dlerror() to `why`. */
static void *open_file(const char *path, char *why, size_t size)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        size_t n = strlen(why);
        sim_fmt(why + n, size - n, "%s'%s' could not be loaded: %s", n ? "; " : "", path,
                e ? e : "unknown reason");
    }
    return h;
}

/* Look for the module as module.h says; `tried` receives the places searched. */
static void *find_module(const char *name, const char *input_dir, char **found, char *tried,
                         size_t tsize, char *why, size_t wsize)
{
    tried[0] = why[0] = '\0';
    if (strchr(name, '/')) {
        sim_fmt(tried, tsize, "'%s'", name);
        if (access(name, F_OK) != 0)
            return NULL;
        *found = sim_strdup(name);
        return open_file(name, why, wsize);
    }
    char *files[2] = {sim_strfmt("lib%s.so", name), sim_strfmt("%s.so", name)};
    const char *dirs[2] = {input_dir, "."};
    void *h = NULL;
    if (!files[0] || !files[1])
        goto done;
    for (int d = 0; d < 2 && !h; d++) {
        if (!dirs[d] || !*dirs[d])
            continue;
        for (int f = 0; f < 2 && !h; f++) {
            char *p = sim_join(dirs[d], files[f]);
            if (!p)
                goto done;
            size_t n = strlen(tried);
            sim_fmt(tried + n, tsize - n, "%s'%s'", n ? ", " : "", p);
            if (access(p, F_OK) == 0) {
                h = open_file(p, why, wsize);
                if (h)
                    *found = p, p = NULL;
            }
            free(p);
            if (why[0])
                goto done; /* a file is there but broken: say so rather than search on */
        }
    }
    for (int f = 0; f < 2 && !h; f++) {
        /* The dynamic linker's own search (LD_LIBRARY_PATH, rpath, ld.so.cache, system dirs). */
        h = dlopen(files[f], RTLD_NOW | RTLD_LOCAL);
        size_t n = strlen(tried);
        sim_fmt(tried + n, tsize - n, "%s'%s' on the library search path", n ? ", " : "", files[f]);
        if (h) {
            *found = sim_strdup(files[f]);
        } else {
            const char *e = dlerror();
            /* "cannot open shared object file" only means: not there. Anything else is a
             * broken library worth reporting. */
            if (e && !strstr(e, "cannot open shared object file")) {
                size_t k = strlen(why);
                sim_fmt(why + k, wsize - k, "%s%s", k ? "; " : "", e);
            }
        }
    }
done:
    free(files[0]);
    free(files[1]);
    return h;
}

static dn_status load_one(dn_sim *sim, const char *name, const dn_mark *mark, const char *path,
                          dn_error *err)
{
    for (size_t i = 0; i < sim->n_modules; i++)
        if (strcmp(sim->modules[i].name, name) == 0) {
            dn_log_info("simulation", "Module %s is already loaded", name);
            return DN_OK;
        }
    char tried[1536], why[1024];
    char *found = NULL;
    void *h = find_module(name, sim->input_dir, &found, tried, sizeof tried, why, sizeof why);
    if (!h) {
        free(found);
        dn_log(DN_LOG_ERROR, "simulation",
               "Module %s could not be loaded. Did you compile and install the extension module?",
               name);
        if (why[0])
            return dn_error_set(err, DN_EINPUT, mark, path,
                                "extension module `%s` could not be loaded: %s", name, why);
        return dn_error_set(err, DN_EINPUT, mark, path,
                            "extension module `%s` not found (looked for %s); build it (see "
                            "examples/extension_module) and put it in input_dir, the current "
                            "directory or a directory of LD_LIBRARY_PATH",
                            name, tried);
    }
    dn_status st = DN_OK;
    const int *abi = (const int *)dlsym(h, DN_MODULE_ABI_SYMBOL);
    union {
        void *p;
        dn_status (*fn)(dn_engine *, dn_error *);
    } init;
    init.p = dlsym(h, DN_MODULE_INIT_SYMBOL);
    if (!init.p)
        st = dn_error_set(err, DN_EINPUT, mark, path,
                          "extension module `%s` ('%s') has no function %s(); see "
                          "include/denest/module.h",
                          name, found, DN_MODULE_INIT_SYMBOL);
    else if (!abi || *abi != DN_MODULE_ABI)
        st = dn_error_set(err, DN_EINPUT, mark, path,
                          "extension module `%s` ('%s') was built for model interface version "
                          "%d, this program has version %d: rebuild it against this version's "
                          "include/denest/module.h",
                          name, found, abi ? *abi : 0, DN_MODULE_ABI);
    if (st != DN_OK) {
        dlclose(h);
        free(found);
        return st;
    }
    sim_module *mods = realloc(sim->modules, (sim->n_modules + 1) * sizeof *mods);
    char *nm = sim_strdup(name);
    if (!mods || !nm) {
        if (mods)
            sim->modules = mods;
        free(nm);
        free(found);
        dlclose(h);
        return sim_oom(err);
    }
    sim->modules = mods;
    /* Registered before init runs: the descriptors it registers must outlive the engine, so
     * the handle is closed only after the engine is freed, even if init fails half-way. */
    sim->modules[sim->n_modules].name = nm;
    sim->modules[sim->n_modules].handle = h;
    sim->n_modules++;
    dn_error e2;
    dn_error_clear(&e2);
    st = init.fn(sim->engine, &e2);
    if (st != DN_OK) {
        dn_error_set(err, st == DN_ENOMEM ? DN_ENOMEM : DN_EINPUT, mark, path,
                     "extension module `%s` ('%s') failed to initialise: %s", name, found,
                     e2.message[0] ? e2.message : "no reason given");
        free(found);
        return err ? err->status : st;
    }
    dn_log_info("simulation", "Installed extension module %s ('%s')", name, found);
    free(found);
    return DN_OK;
}

dn_status sim_modules_load(dn_sim *sim, const dn_tree *kernel, dn_error *err)
{
    const dn_tree *owner = NULL;
    const dn_value *list = dn_tree_find_param(kernel, DN_PARAMS, "extension_modules", &owner);
    if (!list || list->type != DN_VALUE_LIST)
        return DN_OK;
    char base[SIM_PATH_MAX];
    dn_tree_path(owner ? owner : kernel, "params", base, sizeof base);
    for (size_t i = 0; i < dn_value_len(list); i++) {
        const dn_value *v = dn_value_list_at(list, i);
        char path[SIM_PATH_MAX + 32];
        sim_fmt(path, sizeof path, "%s/extension_modules[%zu]", base, i);
        const char *name = dn_value_str(v);
        if (!name || !*name)
            return dn_error_set(err, DN_EINPUT, sim_mark(v), path,
                                "an extension module name must be a non-empty string");
        dn_status st = load_one(sim, name, sim_mark(v), path, err);
        if (st != DN_OK)
            return st;
    }
    return DN_OK;
}

void sim_modules_unload(dn_sim *sim)
{
    for (size_t i = sim->n_modules; i-- > 0;) {
        if (sim->modules[i].handle)
            dlclose(sim->modules[i].handle);
        free(sim->modules[i].name);
    }
    free(sim->modules);
    sim->modules = NULL;
    sim->n_modules = 0;
}
