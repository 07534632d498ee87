/* Extension modules: shared libraries that add models to the engine, as NEST users add theirs.
 * A run lists them in kernel.params.extension_modules; `name` loads lib<name>.so (or <name>.so)
 * and calls its dn_module_init once per engine. See examples/extension_module/ for a complete
 * module (a neuron model in one C file and its build).
 *
 * Writing a module:
 *     #include "denest/module.h"
 *     static const dn_model my_neuron = {...};          (model.h describes the interface)
 *     DN_MODULE_ABI_DEFINE
 *     dn_status dn_module_init(dn_engine *e, dn_error *err)
 *     {
 *         return dn_engine_register_model(e, &my_neuron, err);
 *     }
 * Build it as a position-independent shared object that does NOT link the deNEST libraries:
 *     cc -std=c17 -shared -fPIC -I<deNEST>/include my_module.c -o libmy_module.so
 * Its calls into the engine resolve against the program that loads it (the `denest` command
 * exports its symbols). Descriptors must stay valid while the engine lives: the module stays
 * loaded until the run ends.
 *
 * Where a module is looked for, in order: a name holding '/' is a path to the file itself;
 * otherwise lib<name>.so then <name>.so in simulation.params.input_dir, then in the current
 * directory, then through the dynamic linker's search path (LD_LIBRARY_PATH, the system
 * directories). A module named twice in one run is loaded once ("already loaded" is logged). */
#ifndef DENEST_MODULE_H
#define DENEST_MODULE_H

#include "denest/engine.h"
#include "denest/error.h"
#include "denest/model.h"

/* Version of the model interface (model.h, engine.h registration). A module built against another
 * version is refused with a message asking to rebuild it. */
#define DN_MODULE_ABI 1

/* Every module defines this symbol (use DN_MODULE_ABI_DEFINE). */
extern const int dn_module_abi;
#define DN_MODULE_ABI_DEFINE const int dn_module_abi = DN_MODULE_ABI;

/* The registration function every module exports: register its models with
 * dn_engine_register_model / dn_engine_register_synmodel. Return DN_OK, or an error status with
 * `err` filled (the run stops with that error, naming the module). */
dn_status dn_module_init(dn_engine *e, dn_error *err);

/* Names the loader looks up with dlsym. */
#define DN_MODULE_INIT_SYMBOL "dn_module_init"
#define DN_MODULE_ABI_SYMBOL "dn_module_abi"

#endif
