/* The run step of `denest <tree_paths.yml>`: hands the validated tree to the sim layer, which
 * builds the kernel, network and sessions, runs them and writes output_dir (denest.run, §6.7).
 * -o/-i are already in the tree as overrides (dn_cli_load); progress goes to stderr
 * (print_time), unless -q. */
#include "cli.h"
#include "denest/sim.h"

dn_status dn_cli_run(const dn_tree *tree, const dn_cli_options *o, dn_error *err)
{
    (void)o;
    dn_sim_options opt = {0};
    opt.progress = dn_log_enabled(DN_LOG_INFO); /* -q silences the progress line too */
    return dn_sim_run(tree, &opt, err);
}
