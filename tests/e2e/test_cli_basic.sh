#!/usr/bin/env bash
# The `denest` command on good input: help, version, the run form, validate, show (whole tree
# and a subtree in the tutorial's notation), the precedence of --set over -o/-i over files,
# and `doc parameters` matching the committed docs/parameters.md.
# Arguments: $1 = denest binary, $2 = tests/data, $3 = scratch directory.
set -u
DENEST=$1
DATA=$2
TMP=$3
ROOT=$DATA/../..
rm -rf "$TMP" && mkdir -p "$TMP" || exit 1
cd "$TMP" || exit 1
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
# run NAME EXPECTED_STATUS command...: output in $TMP/out, $TMP/err
run() {
    local name=$1 want=$2
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit status $rc, expected $want; stderr: $(head -5 "$TMP/err")"
}
has() { # NAME FILE FIXED-STRING
    grep -qF -- "$3" "$2" || fail "$1: '$3' not in $(basename "$2"): $(head -5 "$2")"
}

TUT=$DATA/denest/tutorial/tree_paths.yml

# ---- help, version, usage ----
run help 0 "$DENEST" --help
for s in "usage: denest <tree_paths.yml>" "validate FILE" "show FILE [SUBTREE]" "doc parameters" \
    "-o, --output-dir DIR" "-i, --input-dir DIR" "--set PATH=VALUE" "-v, --verbose" \
    "-q, --quiet" "--version" "exit status"; do
    has help "$TMP/out" "$s"
done
run help_short 0 "$DENEST" -h
has help_short "$TMP/out" "usage: denest"
version=$(sed -n 's/^project(denest_c VERSION \([0-9.]*\).*/\1/p' "$ROOT/CMakeLists.txt")
[ -n "$version" ] || fail "cannot read the project version from CMakeLists.txt"
run version 0 "$DENEST" --version
[ "$(cat "$TMP/out")" = "denest-c $version (compatible with deNEST 1.0.1)" ] ||
    fail "version: got '$(cat "$TMP/out")'"
run no_args 2 "$DENEST"
has no_args "$TMP/err" "usage: denest"
run too_many 2 "$DENEST" "$TUT" extra
has too_many "$TMP/err" "denest: error: unexpected argument \`extra\`"

# ---- the run form: load, validate, then the run step (the sim layer's) ----
# A tree without sessions or network keeps this independent of simulation results; what is
# checked here is that the run step is reached with the -o override applied.
printf 'kernel: {params: {nest_seed: 3}}\n' >"$TMP/k.yml"
printf -- '- k.yml\n' >"$TMP/tp.yml"
run run_form 0 "$DENEST" "$TMP/tp.yml" -o "$TMP/run_out"
has run_form "$TMP/err" "[denest] INFO: Loading parameter file paths from $TMP/tp.yml"
[ -f "$TMP/run_out/parameter_tree.yml" ] || fail "run_form: -o did not reach the run step"
run run_quiet 0 "$DENEST" -q "$TMP/tp.yml" -o "$TMP/run_quiet"
[ ! -s "$TMP/err" ] || fail "run -q: stderr not empty: $(head -3 "$TMP/err")"
run run_verbose 0 "$DENEST" --verbose "$TMP/tp.yml" -o "$TMP/run_verbose" -i "$TMP/i"
has run_verbose "$TMP/err" "Using 1 override tree(s)"
run run_single_file 0 "$DENEST" -q "$TMP/k.yml" --output-dir "$TMP/run_single"
[ -f "$TMP/run_single/parameter_tree.yml" ] || fail "run_single_file: no output"

# ---- validate: deNEST's parameter sets are valid ----
for f in tutorial/tree_paths.yml example/tree_paths.yml mc_sleep/params/tree_paths.yml \
    tests/end_to_end/test_parameter_tree.yml tutorial/network_tree.yml; do
    run "validate $f" 0 "$DENEST" validate -q "$DATA/denest/$f"
    [ "$(cat "$TMP/out")" = "$DATA/denest/$f: valid" ] || fail "validate $f: got '$(cat "$TMP/out")'"
done

# ---- show: a subtree's leaves with inherited data, as in the tutorial ----
# ---- show --network: the built network, nothing written ----
run show_network 0 "$DENEST" show -q --network "$TUT"
has show_network "$TMP/out" "l1_exc                   4 per location, 100 nodes, GIDs 53-152"
has show_network "$TMP/out" "proj_1_AMPA-l1-l1_exc-l1-l1_inh  synapse_model my_AMPA_synapse-proj_1_AMPA-l1-l1_exc-l1-l1_inh, 2600 connections"
has show_network "$TMP/out" "203  my_multimeter_l1_l1_exc  multimeter"
has show_network "$TMP/out" "Network size: 206 nodes (root, layer nodes, recorders and parrots included), 6650 connections"
[ ! -e "$TMP/data" ] || fail "show --network wrote an output directory"
run show_network_bad 2 "$DENEST" show -q --network "$TUT" --set "network.layers.layers.l1.params.populations={l1_exc: 4, l1_inhh: 2}"
run show_network_bad_model 2 "$DENEST" show -q --network "$TUT" --set network.neuron_models.my_neuron.params.nest_model=ht_neuronn
has show_network_bad_model "$TMP/err" "did you mean \`ht_neuron\`"

run show_models 0 "$DENEST" show -q "$TUT" network/neuron_models
cat >"$TMP/want" <<'WANT'
l1_exc
  params: {'nest_model': 'ht_neuron'}
  nest_params: {'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -44.0}
l1_inh
  params: {'nest_model': 'ht_neuron'}
  nest_params: {'g_KL': 1.0, 'g_NaL': 1.0, 'V_m': -55.0}
WANT
diff "$TMP/want" "$TMP/out" >/dev/null || fail "show network/neuron_models: $(diff "$TMP/want" "$TMP/out")"
run show_leaf 0 "$DENEST" show -q "$TUT" network/neuron_models/my_neuron/l1_inh/
[ "$(head -1 "$TMP/out")" = "l1_inh" ] && [ "$(wc -l <"$TMP/out")" -eq 3 ] ||
    fail "show of a leaf: $(cat "$TMP/out")"
run show_tree 0 "$DENEST" show -q "$TUT"
for s in "network:" "  neuron_models:" "        V_m: -44.0" "kernel:" "    nest_seed: 10"; do
    has show_tree "$TMP/out" "$s"
done
# The printed tree reads back as the same tree.
cp "$TMP/out" "$TMP/shown.yml"
run show_roundtrip 0 "$DENEST" show -q "$TMP/shown.yml"
diff "$TMP/shown.yml" "$TMP/out" >/dev/null || fail "show of the shown tree differs"

# ---- overrides: --set > -o/-i > files; the last --set wins; values are YAML ----
run dirs 0 "$DENEST" show -q "$TUT" simulation -o "$TMP/OUT" --input-dir IN
has dirs "$TMP/out" "'output_dir': '$TMP/OUT'"
has dirs "$TMP/out" "'input_dir': 'IN'"
has dirs "$TMP/out" "'sessions': ['warmup', '3_spikes', '2_spikes', '3_spikes']"
run set_beats_o 0 "$DENEST" show -q "$TUT" simulation --output-dir=OUT --set simulation.params.output_dir=SET
has set_beats_o "$TMP/out" "'output_dir': 'SET'"
run last_set_wins 0 "$DENEST" show -q "$TUT" kernel --set kernel.params.nest_seed=5 --set=kernel.params.nest_seed=6
has last_set_wins "$TMP/out" "'nest_seed': 6"
run set_yaml 0 "$DENEST" show -q "$TUT" kernel --set 'kernel.nest_params.resolution=0.1' \
    --set 'kernel.params.extension_modules=[a, b]' --set kernel.nest_params.print_time=yes
has set_yaml "$TMP/out" "'resolution': 0.1"
has set_yaml "$TMP/out" "'extension_modules': ['a', 'b']"
has set_yaml "$TMP/out" "'print_time': True"
run set_new_branch 0 "$DENEST" show -q "$TUT" session_models/warmup --set session_models.warmup.params.simulation_time=20
has set_new_branch "$TMP/out" "'simulation_time': 20"
has set_new_branch "$TMP/out" "'record': False"
# An override is validated like the files: a bad value points at the command line.
run set_invalid 2 "$DENEST" validate -q "$TUT" --set kernel.params.nest_seed=1.5
has set_invalid "$TMP/err" "denest: error: <command line>:1:"
has set_invalid "$TMP/err" "kernel/params/nest_seed: expected an integer, got 1.5"

# ---- the parameter reference ----
run doc 0 "$DENEST" doc parameters
diff "$ROOT/docs/parameters.md" "$TMP/out" >/dev/null ||
    fail "docs/parameters.md differs from \`denest doc parameters\` (regenerate it)"
run doc_topic 2 "$DENEST" doc foo
has doc_topic "$TMP/err" "denest doc parameters"

run network_option 2 "$DENEST" validate -q "$TUT" --network

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all CLI checks passed"
