#!/usr/bin/env bash
# Extension modules end to end: build examples/extension_module with the compiler of this build,
# load it through kernel.params.extension_modules (found in input_dir; named twice = loaded once)
# and check the spikes of its `my_lif` neuron; then the failures: a missing module and a module
# built without the interface version.
# Arguments: $1 = denest binary, $2 = tests/data, $3 = scratch directory.
set -u
DENEST=$(realpath "$1")
DATA=$(realpath "$2")
TMP=$3
ROOT=$(cd "$DATA/../.." && pwd)
rm -rf "$TMP" && mkdir -p "$TMP/in" || exit 1
cd "$TMP" || exit 1
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# The C compiler of this build (CMakeCache.txt next to the binary), else cc.
CC=$(sed -n 's/^CMAKE_C_COMPILER:[A-Z]*=//p' "$(dirname "$DENEST")/CMakeCache.txt" 2>/dev/null)
[ -n "$CC" ] || CC=cc
"$CC" -std=c17 -O2 -Wall -Wextra -Wpedantic -Werror -shared -fPIC -I"$ROOT/include" \
    "$ROOT/examples/extension_module/my_lif_module.c" -lm -o "$TMP/in/libmy_lif_module.so" ||
    { echo "FAIL: cannot build the example module with $CC" >&2; exit 1; }

# the example's parameters, with the module named twice
sed 's/extension_modules: \[my_lif_module\]/extension_modules: [my_lif_module, my_lif_module]/' \
    "$ROOT/examples/extension_module/params.yml" >params.yml
grep -qF "[my_lif_module, my_lif_module]" params.yml || fail "cannot adapt the example's params.yml"
"$DENEST" params.yml -o out -i in >stdout 2>stderr
rc=$?
[ "$rc" -eq 0 ] || fail "run with the module: exit $rc: $(tail -3 stderr)"
grep -qF "Installed extension module my_lif_module ('in/libmy_lif_module.so')" stderr ||
    fail "no 'Installed' log line"
grep -qF "Module my_lif_module is already loaded" stderr || fail "no 'already loaded' log line"
# V_inf = E_L + I_e tau_m / C_m = -50 mV > V_th: threshold reached at step 139 (13.9 ms), then
# every 15.9 ms (2 ms refractory + 139 steps)
want=$(for t in 13.900 29.800 45.700 61.600 77.500 93.400; do printf '2\t%s\t\n3\t%s\t\n' $t $t; done)
got=$(cat out/data/sd_l1_lif-4-0.gdf 2>/dev/null)
[ "$got" = "$want" ] || fail "my_lif spikes: got '$got'"

# A missing module: exit 2, one line naming the module and where it was looked for.
sed 's/my_lif_module, my_lif_module/no_such_module/' params.yml >missing.yml
"$DENEST" -q missing.yml -o out2 -i in >stdout 2>stderr
rc=$?
[ "$rc" -eq 2 ] || fail "missing module: exit $rc, expected 2"
grep -qF "extension module \`no_such_module\` not found" stderr || fail "missing module: $(cat stderr)"
grep -qF "in/libno_such_module.so" stderr || fail "missing module: searched paths not named"
[ ! -e out2 ] || fail "missing module: output directory created"

# A module without dn_module_abi: refused with a rebuild hint.
cat >old.c <<'C'
#include "denest/module.h"
dn_status dn_module_init(dn_engine *e, dn_error *err)
{
    (void)e;
    (void)err;
    return DN_OK;
}
C
"$CC" -std=c17 -shared -fPIC -I"$ROOT/include" old.c -o in/libold_module.so || exit 1
sed 's/my_lif_module, my_lif_module/old_module/' params.yml >old.yml
"$DENEST" -q old.yml -o out3 -i in >stdout 2>stderr
rc=$?
[ "$rc" -eq 2 ] || fail "module without ABI: exit $rc, expected 2"
grep -qF "rebuild it" stderr || fail "module without ABI: $(cat stderr)"

[ "$failures" -eq 0 ] && echo "extension module: all checks passed"
exit $((failures > 0))
