#!/usr/bin/env bash
# The `denest` command on bad input: every case exits with status 2 and prints exactly one
# line per error on stderr, `denest: error: file:line:column: tree/path: message`, with no crash
# or leak (under the sanitized build ASan would change the status and add lines). Big and odd
# inputs are generated here, in the scratch directory, never committed.
# Arguments: $1 = denest binary, $2 = tests/data, $3 = scratch directory.
set -u
DENEST=$1
DATA=$2
TMP=$3
rm -rf "$TMP" && mkdir -p "$TMP" || exit 1
cd "$TMP" || exit 1
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# expect NAME LINES REGEX command...: status 2, exactly LINES lines on stderr, all of them
# `denest: error: ...` lines, the first matching the extended REGEX.
expect() {
    local name=$1 lines=$2 re=$3
    shift 3
    "$@" >"$TMP/out" 2>"$TMP/err"
    local rc=$?
    [ "$rc" -eq 2 ] || fail "$name: exit status $rc, expected 2; stderr: $(head -c 600 "$TMP/err")"
    local n
    n=$(wc -l <"$TMP/err")
    [ "$n" -eq "$lines" ] || fail "$name: $n lines on stderr, expected $lines: $(head -c 600 "$TMP/err")"
    if grep -qv '^denest: error: ' "$TMP/err"; then
        fail "$name: a stderr line is not an error line: $(grep -v '^denest: error: ' "$TMP/err" | head -2)"
    fi
    head -1 "$TMP/err" | grep -Eq -- "$re" || fail "$name: '$(head -1 "$TMP/err")' does not match /$re/"
    [ ! -s "$TMP/out" ] || fail "$name: unexpected stdout: $(head -c 300 "$TMP/out")"
}

# Both the run form and `validate` refuse the input the same way.
both() {
    local name=$1 lines=$2 re=$3 file=$4
    shift 4
    expect "$name (run)" "$lines" "$re" "$DENEST" -q "$file" "$@"
    expect "$name (validate)" "$lines" "$re" "$DENEST" validate -q "$file" "$@"
}

# A valid two-file tree to break in various ways.
mkdir -p ok
cat >ok/net.yml <<'YML'
network:
  neuron_models:
    my_neuron: {params: {nest_model: iaf_psc_alpha}}
  layers:
    nest_params: {rows: 2, columns: 2}
    l1: {params: {populations: {my_neuron: 1}}}
YML
cat >ok/sim.yml <<'YML'
simulation: {params: {sessions: [s]}}
session_models:
  s: {params: {simulation_time: 10.0}}
YML
printf -- '- net.yml\n- sim.yml\n' >ok/tree_paths.yml
"$DENEST" validate -q ok/tree_paths.yml >/dev/null 2>&1 || fail "the base tree is not valid"

both missing_file 1 '^denest: error: nope\.yml: No parameter file at nope\.yml$' nope.yml

printf -- '- net.yml\n- gone.yml\n' >ok/tp_missing.yml
both listed_file_missing 1 '^denest: error: ok/tp_missing\.yml:2:3: No parameter file at ok/gone\.yml' ok/tp_missing.yml

printf 'kernel:\n  params: {nest_seed: 1\n' >syntax.yml
both yaml_syntax 1 '^denest: error: syntax\.yml:[0-9]+:[0-9]+: .*YAML syntax error' syntax.yml

printf 'kernel:\n\tparams: {}\n' >tab.yml
both tab_indent 1 '^denest: error: tab\.yml:2:1: .*tab' tab.yml

printf 'network:\n  layers: 3\n' >nonmap.yml
both non_mapping_node 1 '^denest: error: nonmap\.yml:2:11: network/layers: .*must be a mapping' nonmap.yml

printf 'kernel:\n  params: 3\n' >params3.yml
both params_3 1 "^denest: error: params3\\.yml:2:11: kernel/params: 'params' must be a mapping" params3.yml

sed 's/populations:/populatons:/' ok/net.yml >ok/net_typo.yml
printf -- '- net_typo.yml\n- sim.yml\n' >ok/tp_typo.yml
both unknown_key 2 '^denest: error: ok/net_typo\.yml:6:19: network/layers/l1/params/populatons: unknown key `populatons` in layer params \(did you mean `populations`\?\)$' ok/tp_typo.yml
grep -q 'ok/net_typo.yml:6:10: network/layers/l1/params: missing mandatory key `populations`' "$TMP/err" ||
    fail "unknown_key: the missing populations is not reported too"

printf 'session_models:\n  s: {params: {record: false}}\n' >missing.yml
both missing_mandatory 1 '^denest: error: missing\.yml:2:7: session_models/s/params: missing mandatory key `simulation_time` \(a non-negative number\) in params of session model `s`$' missing.yml

cat >placeholder.yml <<'YML'
network:
  layers:
    nest_params: {rows: mandatory, columns: 2}
    l1: {params: {populations: {n: 1}}, nest_params: {rows: 3}}
    l2: {params: {populations: {n: 1}}}
YML
both placeholder 1 '^denest: error: placeholder\.yml:3:25: network/layers/nest_params/rows: placeholder `mandatory` was never overridden: layer `l2` must set its own `rows`$' placeholder.yml

cat >dup.yml <<'YML'
network:
  neuron_models:
    a: {n: {params: {nest_model: iaf_psc_alpha}}}
    b: {n: {params: {nest_model: iaf_psc_exp}}}
YML
both duplicate_leaves 1 "^denest: error: dup\\.yml:4:9: network/neuron_models/b/n: two leaves are named 'n': network/neuron_models/a/n and network/neuron_models/b/n" dup.yml

printf '[]\n' >empty_tp.yml
both empty_tree_paths 1 '^denest: error: empty_tp\.yml:1:1: tree_paths file lists no parameter files' empty_tp.yml

truncate -s 100M big.yml
both big_file 1 '^denest: error: big\.yml: .*too large' big.yml
rm -f big.yml

# 10 000 nested flow lists, and the same in block style inside a tree.
{ printf '%.0s[' $(seq 10000); printf '%.0s]' $(seq 10000); echo; } >deep.yml
both deep_nesting 1 '^denest: error: deep\.yml:1:[0-9]+: YAML nesting deeper than' deep.yml
{ printf 'a:'; printf '%.0s {b:' $(seq 10000); printf '%.0s}' $(seq 10000); echo; } >deep_map.yml
both deep_nesting_map 1 '^denest: error: deep_map\.yml:1:[0-9]+: YAML nesting deeper than' deep_map.yml

printf 'kernel:\n  params: {nest_seed: "\xff\xfe"}\n' >utf8.yml
both invalid_utf8 1 '^denest: error: utf8\.yml:2:[0-9]+: invalid UTF-8' utf8.yml

printf 'kernel:\n  params: {nest_seed: 1}\0\n' >nul.yml
both nul_byte 1 '^denest: error: nul\.yml:2:[0-9]+: NUL byte' nul.yml

both set_no_equals 1 '^denest: error: <command line>:1:[0-9]+: bad assignment' ok/tree_paths.yml --set kernel.params.nest_seed
both set_no_data_key 1 '^denest: error: <command line>:1:[0-9]+: bad assignment' ok/tree_paths.yml --set kernel.nest_seed=3
both set_bad_yaml 1 '^denest: error: <command line>:1:[0-9]+: .*YAML syntax error' ok/tree_paths.yml --set 'kernel.params.nest_seed=[1'

# A tree_paths entry resolves against the list's directory, so the same list run from
# elsewhere works (sanity check that the errors above are about the input, not the cwd).
(cd / && "$DENEST" validate -q "$TMP/ok/tree_paths.yml" >/dev/null 2>&1) ||
    fail "tree_paths relative to its own directory"

# Command-line mistakes.
expect unknown_option 1 '^denest: error: unknown option `--bogus` \(see `denest --help`\)$' "$DENEST" --bogus ok/tree_paths.yml
expect unknown_short 1 '^denest: error: unknown option `-x`' "$DENEST" -x ok/tree_paths.yml
expect missing_value 1 '^denest: error: option `-o` needs a value' "$DENEST" ok/tree_paths.yml -o
expect validate_args 1 '^denest: error: `validate` takes one FILE' "$DENEST" validate
expect show_subtree 1 '^denest: error: no subtree `neuron_model` in network \(did you mean `neuron_models`\?\)$' \
    "$DENEST" show -q ok/tree_paths.yml network/neuron_model
expect show_subtree_root 1 '^denest: error: no subtree `netwrk` in the tree.s root \(did you mean `network`\?\)$' \
    "$DENEST" show -q ok/tree_paths.yml netwrk

# Many errors: every one is printed, one line each; the run form stops before running.
cat >many.yml <<'YML'
kernel: {params: {nest_seed: x, extension_modules: 3}}
simulation: {params: {sessions: [nope]}, nest_params: {a: 1}}
network: {layers: {l1: {params: {populations: {}}}}}
YML
expect many_errors 7 '^denest: error: many\.yml:1:30: kernel/params/nest_seed: expected an integer' \
    "$DENEST" -q many.yml
[ ! -e "$TMP/output" ] || fail "many_errors: the run step ran on an invalid tree"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all CLI error checks passed"
