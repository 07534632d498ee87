#!/usr/bin/env bash
# `denest <tree_paths.yml>` running simulations: the tutorial through the command (spikes equal
# to NEST 2.20.2's), deNEST's example with its .npy input (-i) and 20 threads, the print_time
# progress line, deNEST's log lines, and the exit statuses of failures: 2 for bad input found
# before anything runs (another run in the output directory, a missing .npy file), 1 for a full
# disk while running (simulated with `ulimit -f`), with the finished sessions' data kept.
# Arguments: $1 = denest binary, $2 = tests/data, $3 = scratch directory.
set -u
DENEST=$(realpath "$1")
DATA=$(realpath "$2")
TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP" || exit 1
cd "$TMP" || exit 1
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}
run() { # NAME EXPECTED_STATUS command...
    local name=$1 want=$2
    shift 2
    "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    local rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit status $rc, expected $want: $(tail -3 "$TMP/stderr")"
}
has() { # NAME FILE FIXED-STRING
    grep -qF -- "$3" "$2" || fail "$1: '$3' not in $(basename "$2")"
}

# ---- the tutorial ----
REF=$DATA/sim/tutorial_reference
run tutorial 0 "$DENEST" "$DATA/denest/tutorial/tree_paths.yml" -o tut
cmp -s tut/data/my_spike_detector_input_layer_parrot_neuron-204-0.gdf \
    "$REF/data/my_spike_detector_input_layer_parrot_neuron-204-0.gdf" || fail "tutorial: spikes differ"
cmp -s tut/data/my_multimeter_l1_l1_exc-203-0.dat "$REF/data/my_multimeter_l1_l1_exc-203-0.dat" ||
    fail "tutorial: multimeter differs"
for s in "=== RUNNING SIMULATION ===" "Initializing NEST kernel and seeds..." \
    "Build N=4 sessions" "Sessions: ['00_warmup', '01_3_spikes', '02_2_spikes', '03_3_spikes']" \
    "Running session '01_3_spikes' for 100 ms" \
    "Layer='input_layer', pop='spike_generator': Applying 'constant' change, param='spike_times', from single value" \
    "Total simulation virtual time: 400 ms" "Simulation output written to: $TMP/tut"; do
    has tutorial "$TMP/stderr" "$s"
done
[ ! -s "$TMP/stdout" ] || fail "tutorial: stdout not empty"
# overwrite_files: true in the tutorial's kernel: running again replaces the run
run tutorial_again 0 "$DENEST" -q "$DATA/denest/tutorial/tree_paths.yml" -o tut
[ "$(wc -l <tut/data/my_spike_detector_input_layer_parrot_neuron-204-0.gdf)" -eq 200 ] ||
    fail "tutorial_again: data appended instead of replaced"

# ---- deNEST's example: .npy input via -i, 20 threads, print_time ----
EX=$DATA/denest/example
start=$(date +%s.%N)
run example 0 "$DENEST" "$EX/tree_paths.yml" -o ex -i "$EX/input"
secs=$(echo "$(date +%s.%N) - $start" | bc)
echo "example (20 threads on $(nproc) cores): ${secs}s"
has example "$TMP/stderr" "Layer='input_layer', pop='input_exc': Applying 'constant' change, param='rate', from array"
# print_time: true -> one progress line per session when stderr is not a terminal
has example "$TMP/stderr" "Session '02_arbitrary_rate': 100 %: network time: 150.0 ms, realtime factor:"
[ "$(ls ex/data | wc -l)" -eq 231 ] || fail "example: $(ls ex/data | wc -l) files in data/, expected 231"
# without -i the input directory of the parameters (params/input) does not exist here
run example_no_input 2 "$DENEST" -q "$EX/tree_paths.yml" -o ex2
has example_no_input "$TMP/stderr" "Could not load array from file at 'params/input/./input_layer_rates_5x5x1.npy'"
[ ! -e ex2 ] || fail "example_no_input: output directory created"

# ---- another run in the output directory, overwrite_files false (the default) ----
cat >tp.yml <<'YAML'
- p.yml
YAML
cat >p.yml <<'YAML'
simulation:
  params: {sessions: [a, a, a]}
session_models:
  a: {params: {simulation_time: 300.0}}
network:
  recorder_models:
    mm: {params: {nest_model: multimeter}, nest_params: {record_to: [file], record_from: [V_m], interval: 0.1}}
  layers:
    l1: {params: {populations: {iaf_psc_alpha: 2}}, nest_params: {rows: 2, columns: 2}}
  recorders:
    params:
      population_recorders:
      - {model: mm, layers: [l1], populations: [iaf_psc_alpha]}
YAML
run first 0 "$DENEST" -q tp.yml -o runs
run second 2 "$DENEST" -q tp.yml -o runs
has second "$TMP/stderr" "holds the output of another run"
[ "$(wc -l <"$TMP/stderr")" -eq 1 ] || fail "second: the error is not one line"

# ---- a full disk while running: exit 1, the first session's data intact ----
mm=runs/data/mm_l1_iaf_psc_alpha-10-0.dat
size=$(stat -c %s "$mm")
rows=$(wc -l <"$mm")
third=$((size / 3 / 1024 + 8)) # KiB: room for the first session and a bit
(trap '' XFSZ; ulimit -f "$third"; exec "$DENEST" -q tp.yml -o full) >"$TMP/stdout" 2>"$TMP/stderr"
rc=$?
[ "$rc" -eq 1 ] || fail "full disk: exit status $rc, expected 1: $(cat "$TMP/stderr")"
has full_disk "$TMP/stderr" "File too large"
has full_disk "$TMP/stderr" "session '01_a'"
first_rows=$(awk '$2 <= 300.0' runs/data/mm_l1_iaf_psc_alpha-10-0.dat | wc -l)
head -n "$first_rows" "$mm" | cmp -s - <(head -n "$first_rows" full/data/mm_l1_iaf_psc_alpha-10-0.dat) ||
    fail "full disk: the first session's data is not intact"
[ "$first_rows" -gt 1000 ] && [ "$rows" -gt "$first_rows" ] || fail "full disk: bad reference ($first_rows of $rows)"

[ "$failures" -eq 0 ] && echo "sim cli: all checks passed"
exit $((failures > 0))
