/* The `denest` command (deNEST spec §9, decisions.md): argument parsing, the subcommands
 * (run, validate, show, doc) and the error contract — each error one line on stderr,
 * `denest: error: file:line:column: tree/path: message`; exit 0 ok, 2 bad input, 1 failure. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "denest/schema.h"

#define EXIT_INPUT 2
#define EXIT_RUNTIME 1

static const char usage_text[] =
    "usage: denest <tree_paths.yml> [-o DIR] [-i DIR] [--set PATH=VALUE]... [-v | -q]\n"
    "       denest validate FILE [--set PATH=VALUE]...\n"
    "       denest show FILE [SUBTREE] [--set PATH=VALUE]...\n"
    "       denest doc parameters\n"
    "       denest -h | --help | --version\n";

static const char help_text[] =
    "\n"
    "Run the simulation described by a tree_paths.yml file: a YAML list of parameter files,\n"
    "relative to the list's directory, merged in order (earlier files win).\n"
    "\n"
    "commands:\n"
    "  validate FILE          check a tree_paths list or a single parameter file without\n"
    "                         running anything; print \"FILE: valid\" or every error found\n"
    "  show FILE [SUBTREE]    print the merged tree as YAML, or each leaf of SUBTREE (e.g.\n"
    "                         network/neuron_models) with its inherited params and nest_params\n"
    "  show --network FILE    build the network (nothing is written or run) and list its\n"
    "                         layers with GID ranges, projections with connection counts, recorders\n"
    "  doc parameters         print the parameter reference (Markdown, docs/parameters.md)\n"
    "\n"
    "options:\n"
    "  -o, --output-dir DIR   output directory (overrides simulation.params.output_dir)\n"
    "  -i, --input-dir DIR    input directory (overrides simulation.params.input_dir)\n"
    "  --set PATH=VALUE       override one parameter, e.g. --set "
    "kernel.nest_params.resolution=0.5\n"
    "                         (PATH: child names, then params or nest_params, then the key;\n"
    "                         VALUE: YAML). Repeatable; the last one wins; beats -o, -i, files\n"
    "  -v, --verbose          log debug messages too\n"
    "  -q, --quiet            log warnings and errors only (default: informational messages)\n"
    "  -h, --help             show this help\n"
    "  --version              show the version\n"
    "\n"
    "exit status: 0 success, 2 bad input (parameters, files, arguments), 1 runtime failure.\n";

/* One error, one line: newlines and other control characters inside become spaces. */
static void print_error(const dn_error *e)
{
    char line[DN_ERROR_MSG_MAX + DN_ERROR_PATH_MAX + 256];
    dn_error_format(e, line, sizeof line);
    for (char *p = line; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    fprintf(stderr, "denest: error: %s\n", line);
}

static int exit_code(dn_status st)
{
    return st == DN_OK ? 0 : st == DN_EINPUT ? EXIT_INPUT : EXIT_RUNTIME;
}

static int fail(dn_status st, const dn_error *e)
{
    print_error(e);
    return exit_code(st);
}

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "denest: error: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (see `denest --help`)\n");
    return EXIT_INPUT;
}

/* Parse argv into *o. Returns -1 to go on, else the exit status (help, version, errors). */
static int parse(int argc, char **argv, dn_cli_options *o)
{
    enum { OPT_SET = 256, OPT_VERSION, OPT_NETWORK };
    static const struct option longs[] = {
        {"output-dir", required_argument, NULL, 'o'},
        {"input-dir", required_argument, NULL, 'i'},
        {"set", required_argument, NULL, OPT_SET},
        {"verbose", no_argument, NULL, 'v'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, OPT_VERSION},
        {"network", no_argument, NULL, OPT_NETWORK},
        {NULL, 0, NULL, 0},
    };
    opterr = 0; /* our own messages, one line each */
    int c;
    while ((c = getopt_long(argc, argv, ":o:i:vqh", longs, NULL)) != -1) {
        switch (c) {
        case 'o':
            o->output_dir = optarg;
            break;
        case 'i':
            o->input_dir = optarg;
            break;
        case OPT_SET:
            o->sets[o->n_sets++] = optarg;
            break;
        case 'v':
            o->log_level = DN_LOG_DEBUG;
            break;
        case 'q':
            o->log_level = DN_LOG_WARNING;
            break;
        case 'h':
            fputs(usage_text, stdout);
            fputs(help_text, stdout);
            return 0;
        case OPT_VERSION:
            printf("denest-c %s (compatible with deNEST %s)\n", DN_CLI_VERSION,
                   DN_CLI_DENEST_VERSION);
            return 0;
        case OPT_NETWORK:
            o->network = true;
            break;
        case ':':
            return usage_error("option `%s` needs a value", argv[optind - 1]);
        default: {
            char shortopt[3] = {'-', (char)optopt, '\0'};
            return usage_error("unknown option `%s`", optopt ? shortopt : argv[optind - 1]);
        }
        }
    }
    char **pos = argv + optind;
    int n = argc - optind;
    if (n == 0) {
        fputs(usage_text, stderr);
        return usage_error("%s", "missing the tree_paths file");
    }
    if (strcmp(pos[0], "validate") == 0) {
        o->command = DN_CLI_VALIDATE;
        if (n != 2)
            return usage_error("%s", "`validate` takes one FILE");
        o->file = pos[1];
    } else if (strcmp(pos[0], "show") == 0) {
        o->command = DN_CLI_SHOW;
        if (n < 2 || n > 3)
            return usage_error("%s", "`show` takes FILE and optionally a SUBTREE path");
        o->file = pos[1];
        o->subtree = n == 3 ? pos[2] : NULL;
    } else if (strcmp(pos[0], "doc") == 0) {
        o->command = DN_CLI_DOC;
        if (n != 2 || strcmp(pos[1], "parameters") != 0)
            return usage_error("%s", "`doc` knows one topic: `denest doc parameters`");
    } else {
        o->command = DN_CLI_RUN;
        if (n != 1)
            return usage_error("unexpected argument `%s`", pos[1]);
        o->file = pos[0];
    }
    if (o->network && o->command != DN_CLI_SHOW)
        return usage_error("%s", "`--network` only goes with `show`");
    return -1;
}

/* Validate and print every error; the status of the first. */
static dn_status validate(const dn_tree *tree)
{
    dn_schema_errors errors = {0};
    dn_status st = dn_schema_validate(tree, &errors);
    for (size_t i = 0; i < errors.len; i++)
        print_error(&errors.items[i]);
    if (errors.dropped)
        fprintf(stderr, "denest: error: ... and %zu more errors\n", errors.dropped);
    if (errors.nomem)
        fprintf(stderr, "denest: error: out of memory while validating\n");
    dn_schema_errors_free(&errors);
    return st;
}

static int run(const dn_cli_options *o)
{
    dn_error err;
    dn_error_clear(&err);
    if (o->command == DN_CLI_DOC) {
        dn_status st = dn_schema_markdown(stdout, &err);
        return st == DN_OK ? 0 : fail(st, &err);
    }
    dn_tree *tree;
    dn_status st = dn_cli_load(o, &tree, &err);
    if (st != DN_OK)
        return fail(st, &err);
    int code = 0;
    switch (o->command) {
    case DN_CLI_SHOW:
        st = dn_cli_show(tree, o, &err);
        code = st == DN_OK ? 0 : fail(st, &err);
        break;
    case DN_CLI_VALIDATE:
        st = validate(tree);
        if (st == DN_OK)
            printf("%s: valid\n", o->file);
        code = exit_code(st);
        break;
    case DN_CLI_RUN:
        st = validate(tree);
        if (st != DN_OK) {
            code = exit_code(st);
            break;
        }
        st = dn_cli_run(tree, o, &err);
        code = st == DN_OK ? 0 : fail(st, &err);
        break;
    case DN_CLI_DOC:
        break;
    }
    dn_tree_free(tree);
    return code;
}

int main(int argc, char **argv)
{
    dn_cli_options o = {0};
    o.log_level = DN_LOG_INFO;
    /* At most one --set per argument: argc bounds the list. */
    o.sets = calloc((size_t)argc + 1, sizeof *o.sets);
    if (!o.sets) {
        fprintf(stderr, "denest: error: out of memory\n");
        return EXIT_RUNTIME;
    }
    int code = parse(argc, argv, &o);
    if (code < 0) {
        dn_log_set_level(o.log_level);
        code = run(&o);
    }
    free(o.sets);
    if (fflush(stdout) != 0 && code == 0) {
        fprintf(stderr, "denest: error: cannot write the output\n");
        code = EXIT_RUNTIME;
    }
    return code;
}
