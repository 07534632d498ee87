/* The run step of `denest <tree_paths.yml>`. Running arrives with the sim layer; until then the
 * command validates the parameters and says that running is not available yet. */
#include "cli.h"

dn_status dn_cli_run(const dn_tree *tree, const dn_cli_options *o, dn_error *err)
{
    (void)tree;
    (void)o;
    (void)err;
    dn_log_info("", "Parameters are valid; running simulations is not available in this "
                    "version yet.");
    return DN_OK;
}
