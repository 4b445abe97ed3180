#!/usr/bin/env bash
# Memory-safety checks: the interpreter's and the runtime's tests under AddressSanitizer
# (nightly Rust) and under valgrind's memcheck, plus the JIT where those tools can follow it.
# What each step covers, what it cannot, and the results of the last full run are in
# docs/memory-checks.md.
#
# Usage: scripts/memcheck.sh [STEP...]     (from anywhere; default: asan valgrind)
#   asan          runtime + interpreter tests, the root crate's interpreter-tier tests and
#                 the spec suite in the interpreter tier, under ASan (+ LeakSanitizer)
#   asan-jit      the same with the JIT built in: JIT crate tests, every tier of the root
#                 crate's tests and of the spec suite
#   valgrind      the `asan` tests under memcheck (release build with line tables)
#   valgrind-jit  JIT crate tests, the root crate's tests in every tier and the spec suite
#                 in the jit, jit-with-bounds-checks and auto tiers under memcheck
#   all           all four
#
# Environment: CARGO_TARGET_DIR (default: target/memcheck, kept apart from normal builds),
# NICE (default: "nice -n 19"; set NICE= to run at normal priority), ASAN_OPTIONS
# (default: detect_leaks=1). Logs of the valgrind steps go to $CARGO_TARGET_DIR/memcheck-logs.
# Needs: a nightly toolchain for the ASan steps (rustup toolchain install nightly), valgrind
# for the others (apt-get install valgrind).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/memcheck}"
read -r -a NICE_CMD <<<"${NICE-nice -n 19}"
HOST=x86_64-unknown-linux-gnu
LOGS="$CARGO_TARGET_DIR/memcheck-logs"
FAILED=()

step() {
    printf '\n==> %s\n' "$*"
}

# Runs a command at low priority (the machine may be shared with other builds).
low() {
    "${NICE_CMD[@]}" "$@"
}

# Prints "elapsed: Ns" for a step started at $1 (a $SECONDS value).
elapsed() {
    echo "elapsed: $((SECONDS - $1))s"
}

need_nightly() {
    if ! cargo +nightly --version >/dev/null 2>&1; then
        echo "error: the ASan steps need a nightly toolchain (rustup toolchain install nightly)" >&2
        exit 1
    fi
}

need_valgrind() {
    if ! command -v valgrind >/dev/null; then
        echo "error: the valgrind steps need valgrind (apt-get install valgrind)" >&2
        exit 1
    fi
}

# ---------------------------------------------------------------------------------------
# AddressSanitizer
# ---------------------------------------------------------------------------------------

# `-Zsanitizer=address` with an explicit `--target` instruments only code built for the
# target: build scripts and proc macros (thiserror's derive) are host code and stay
# uninstrumented, which is what lets them load. std is nightly's prebuilt, uninstrumented
# one (no -Zbuild-std: rust-src is not needed), so ASan sees every heap allocation (through
# its malloc) but not out-of-bounds accesses made inside std itself.
# `--tests`/`--lib`/`--test` leave doctests out: rustdoc would build them without ASan.
# A failure (an ASan report aborts the test binary) is recorded and the next step still runs.
# asan_cargo LABEL CARGO-TEST-ARGS...
asan_cargo() {
    local label=$1
    shift
    step "$label"
    RUSTFLAGS="-Zsanitizer=address" ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" \
        low cargo +nightly test --target "$HOST" --no-fail-fast "$@" || FAILED+=("$label")
}

run_asan() {
    need_nightly
    local t0=$SECONDS
    asan_cargo "asan: wasmtier-runtime and wasmtier-interp unit tests" \
        -p wasmtier-runtime -p wasmtier-interp --tests

    # Without the default `jit` feature the JIT is not built and every test that loops over
    # tiers runs the interpreter only (Engine::new rejects the others and they are skipped).
    asan_cargo "asan: root crate tests, interpreter tier only (--no-default-features)" \
        -p wasmtier --no-default-features --lib \
        --test embedding --test robustness --test fuel --test limits --test wasi

    asan_cargo "asan: spec suite and tests/wast, interpreter tier" \
        -p wasmtier-spec-tests --no-default-features --test spec -- _interp
    elapsed "$t0"
}

run_asan_jit() {
    need_nightly
    local t0=$SECONDS
    # ASan does not instrument the machine code Cranelift generates, but it checks every
    # Rust side of it (code memory, VM contexts, trampolines, builtins, tiering threads),
    # and the JIT's SIGSEGV/SIGILL/SIGFPE handler coexists with ASan's: it handles traps at
    # recorded trap sites and chains every other fault to ASan's handler.
    asan_cargo "asan-jit: wasmtier-jit tests" -p wasmtier-jit --tests

    asan_cargo "asan-jit: root crate tests, every tier (interp, jit, auto)" \
        -p wasmtier --lib --test embedding --test robustness --test fuel --test limits \
        --test wasi --test tiering

    asan_cargo "asan-jit: spec suite and tests/wast, every tier" \
        -p wasmtier-spec-tests --test spec
    elapsed "$t0"
}

# ---------------------------------------------------------------------------------------
# valgrind (memcheck)
# ---------------------------------------------------------------------------------------

# rustix (used by WASI) reads the vDSO through the auxiliary vector; under valgrind the
# vDSO it finds is not mapped and the process dies with SIGSEGV inside rustix (rustix issue
# #1559). `--cfg rustix_use_libc` makes rustix call libc instead, which valgrind handles.
# It changes nothing in wasmtier's own code.
VG_RUSTFLAGS="--cfg rustix_use_libc"

VG_FLAGS=(
    --error-exitcode=99
    --leak-check=full
    --suppressions="$ROOT/.valgrind.supp"
    --num-callers=30
)
# For compiled wasm code: traps are signals raised by instructions that are not memory
# accesses (ud2, idiv), and the JIT's handler recognises a trap by its exact PC; by default
# valgrind only makes the PC exact at memory accesses. `ud2` is a trap site, not a valgrind
# bug: no "unrecognised instruction" banner for it.
VG_JIT_FLAGS=(
    --vex-iropt-register-updates=allregs-at-each-insn
    --sigill-diagnostics=no
)

# Spec-directive failures that only valgrind causes (see docs/memory-checks.md):
# - valgrind caps the address space it manages for the program at about 128 GiB, room for
#   about 20 linear memories of 4 GiB + 2 GiB guard; the scripts that keep more memories
#   alive in one store fail to instantiate the rest ("failed to reserve"), and the
#   directives after such a module find no module;
# - valgrind converts a 64-bit integer to f32 through f64 (double rounding), so 8
#   f32.convert_i64_{s,u} results in conversions.wast are off by one ulp.
VG_ALLOWED_SPEC_FAILURES='failed to reserve [0-9]+ bytes of address space for a linear memory|no current module \(none defined, or the last one failed\)|^conversions\.wast:[0-9]+: assert_return: result 0: expected f32\.const .* got f32\.const'

# Reads a memcheck log; fails if it reports anything but accesses by compiled code (no
# symbol: `???`) to an anonymous mapping, i.e. the guard region of a linear memory. An access
# that straddles the end of memory is reported at its first byte, in the `rw-` part.
GUARD_AWK='
/^==[0-9]+== (Invalid (read|write) of size|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Invalid free|Source and destination overlap|Argument .* of function|Jump to the invalid|Process terminating)/ || /^==[0-9]+== .* bytes in .* blocks are (definitely|possibly) lost/ {
    if (inblk) finish()
    inblk = 1; head = $0; top = ""; addr = ""; access = ($0 ~ /Invalid (read|write) of size/)
    next
}
inblk && top == "" && /^==[0-9]+==    at / { top = $0; next }
inblk && /^==[0-9]+==  Address 0x[0-9a-f]+ is in a (---|rw-) anonymous segment/ { addr = $0; next }
inblk && /^==[0-9]+== $/ { finish() }
function finish() {
    inblk = 0
    if (access && top ~ /at 0x[0-9A-F]+: \?\?\?$/ && addr != "") { guard++; return }
    bad++; print "unexpected memcheck error: " head > "/dev/stderr"
}
END {
    if (inblk) finish()
    printf "%d guard-page access context(s) from compiled code, nothing else", guard
    exit bad > 0
}'

# Builds test binaries with `cargo test --release --no-run ARGS` and prints one line
# "PACKAGE_DIR EXECUTABLE" per test binary.
vg_build() {
    RUSTFLAGS="$VG_RUSTFLAGS" low cargo test --release --no-run --message-format=json "$@" |
        grep '"executable":"' |
        sed -n 's/.*"manifest_path":"\([^"]*\)\/Cargo.toml".*"executable":"\([^"]*\)".*/\1 \2/p'
}

# Set by vg_spec for one vg_run: a command prefix (CPU pinning) and the file the spec
# harness writes every failed directive to (WAST_FAILURES_FILE).
VG_PREFIX=()
VG_FAILS=""

# vg_run LABEL KIND DIR EXE [TEST-ARGS...]: runs one test binary under memcheck in DIR (the
# package directory, as cargo test does). KIND is `interp` (no memcheck error allowed), `jit`
# (the JIT flags, no memcheck error allowed) or `jit-guard` (the JIT flags; guard-page
# accesses by compiled code allowed, see GUARD_AWK). With VG_FAILS set,
# the spec directives that valgrind itself breaks (VG_ALLOWED_SPEC_FAILURES) are allowed.
vg_run() {
    local label=$1 kind=$2 dir=$3 exe=$4
    shift 4
    local log="$LOGS/$label.log" flags=("${VG_FLAGS[@]}") rc=0 t0=$SECONDS ok=1
    local env=()
    [[ $kind == jit* ]] && flags+=("${VG_JIT_FLAGS[@]}")
    if [[ -n $VG_FAILS ]]; then
        rm -f "$VG_FAILS"
        env=(env "WAST_FAILURES_FILE=$VG_FAILS")
    fi
    (cd "$dir" && low "${env[@]}" "${VG_PREFIX[@]}" valgrind "${flags[@]}" "$exe" "$@") \
        </dev/null >"$log" 2>&1 || rc=$?

    # memcheck's verdict. With guard pages, an out-of-bounds wasm access is meant to fault in
    # the inaccessible reservation around linear memory; memcheck reports it ("Invalid
    # read/write" at an address in a `---` mapping) before the JIT's handler turns it into
    # a trap. Those are allowed only when the faulting code is compiled code (no symbol:
    # `???`) and the address lies in an anonymous mapping; any other error fails.
    local memcheck="no errors"
    if ((rc == 99)); then
        if [[ $kind == jit-guard ]] && memcheck=$(awk "$GUARD_AWK" "$log"); then
            :
        else
            memcheck="ERRORS (see $log)"
            ok=0
        fi
    elif ((rc != 0 && rc != 101)); then
        memcheck="crashed with exit status $rc (see $log)"
        ok=0
    fi

    # The tests' verdict (valgrind's exit status 99 hides the test binary's own).
    local tests
    tests=$(grep -E '^test result: ' "$log" | tail -n 1 || true)
    if [[ $tests != "test result: ok."* ]]; then
        local fails=$VG_FAILS
        if [[ -n $tests && -n $fails && -s $fails ]] &&
            ! grep -qvE "$VG_ALLOWED_SPEC_FAILURES" "$fails"; then
            tests="$tests ($(wc -l <"$fails") failed directives, all valgrind-only: $(
                cut -d: -f1 "$fails" | sort | uniq -c | awk '{printf "%s %s; ", $2, $1}'
            ))"
        else
            tests="FAILED: ${tests:-no test summary} (see $log)"
            ok=0
        fi
    fi
    printf '%-34s %4ss  memcheck: %s\n%38s tests: %s\n' "$label" $((SECONDS - t0)) \
        "$memcheck" "" "$tests"
    ((ok)) || FAILED+=("$label")
}

# vg_spec KIND TEST: one spec-suite test under memcheck, pinned to one CPU so that the
# harness runs one script at a time (fewer linear memories alive at once).
vg_spec() {
    local kind=$1 test=$2
    VG_PREFIX=()
    if command -v taskset >/dev/null; then VG_PREFIX=(taskset -c 0); fi
    VG_FAILS="$LOGS/$test.failures"
    vg_run "$test" "$kind" "$SPEC_DIR" "$SPEC_EXE" "$test" --exact --nocapture
    VG_PREFIX=()
    VG_FAILS=""
}

run_valgrind() {
    need_valgrind
    mkdir -p "$LOGS"
    local t0=$SECONDS
    step "valgrind: build (release + line tables, interpreter only, $VG_RUSTFLAGS)"
    local bins spec
    bins=$(vg_build -p wasmtier-runtime -p wasmtier-interp --lib)
    bins+=$'\n'$(vg_build -p wasmtier --no-default-features --lib --test embedding \
        --test robustness --test fuel --test limits --test wasi)
    spec=$(vg_build -p wasmtier-spec-tests --no-default-features --test spec)
    read -r SPEC_DIR SPEC_EXE <<<"$spec"
    elapsed "$t0"

    step "valgrind: runtime, interpreter and root crate tests (interpreter tier)"
    local dir exe
    while read -r dir exe; do
        vg_run "interp-$(basename "${exe%-*}")" interp "$dir" "$exe"
    done <<<"$bins"

    step "valgrind: spec suite and tests/wast, interpreter tier"
    vg_run own_wast_interp interp "$SPEC_DIR" "$SPEC_EXE" own_wast_interp --exact
    vg_spec interp spec_v2_interp
    elapsed "$t0"
}

run_valgrind_jit() {
    need_valgrind
    mkdir -p "$LOGS"
    local t0=$SECONDS
    step "valgrind-jit: build (release + line tables, with the JIT, $VG_RUSTFLAGS)"
    local bins spec
    bins=$(vg_build -p wasmtier-jit --tests)
    bins+=$'\n'$(vg_build -p wasmtier --test fuel --test limits --test tiering --test wasi)
    spec=$(vg_build -p wasmtier-spec-tests --test spec)
    read -r SPEC_DIR SPEC_EXE <<<"$spec"
    elapsed "$t0"

    # These tests use guard pages (the JIT's default), and some trap on purpose through them.
    step "valgrind-jit: wasmtier-jit tests and root crate tests in every tier"
    local dir exe
    while read -r dir exe; do
        vg_run "jit-$(basename "${exe%-*}")" jit-guard "$dir" "$exe"
    done <<<"$bins"

    # With explicit bounds checks compiled code never touches a guard page: no error allowed.
    step "valgrind-jit: spec suite and tests/wast, jit / jit with bounds checks / auto"
    local t kind
    for t in jit jit_bounds_checks auto; do
        kind=jit-guard
        [[ $t == jit_bounds_checks ]] && kind=jit
        vg_run "own_wast_$t" "$kind" "$SPEC_DIR" "$SPEC_EXE" "own_wast_$t" --exact
        vg_spec "$kind" "spec_v2_$t"
    done
    elapsed "$t0"
}

STEPS=("$@")
((${#STEPS[@]})) || STEPS=(asan valgrind)
[[ ${STEPS[*]} == all ]] && STEPS=(asan asan-jit valgrind valgrind-jit)
for s in "${STEPS[@]}"; do
    case $s in
    asan) run_asan ;;
    asan-jit) run_asan_jit ;;
    valgrind) run_valgrind ;;
    valgrind-jit) run_valgrind_jit ;;
    *)
        echo "unknown step '$s' (asan, asan-jit, valgrind, valgrind-jit, all)" >&2
        exit 2
        ;;
    esac
done

if ((${#FAILED[@]})); then
    echo
    echo "memcheck: FAILED: ${FAILED[*]}"
    exit 1
fi
echo
echo "memcheck: all requested steps passed (${STEPS[*]})"
