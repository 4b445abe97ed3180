;; Attack: poll_oneoff sleeping for an hour, run with `--timeout 1`.
;;
;; One relative CLOCK_MONOTONIC subscription of 3600 s. The host call blocks inside the
;; runtime, where no wasm instruction runs to notice the interrupt: unless blocking host
;; calls are interruptible, `--timeout` cannot stop the guest and the process sleeps for an
;; hour. Expected: an "interrupted" trap about one second in.
;;
;; `run` returns poll_oneoff's errno if it ever comes back.
(module
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; subscription at 0: userdata (u64) @0, tag @8 = 0 (clock), clock id @16 = 1
  ;; (monotonic), timeout @24 (ns), precision @32, flags @40 = 0 (relative).
  (func (export "run") (result i32)
    (i64.store (i32.const 0) (i64.const 42))
    (i32.store8 (i32.const 8) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 1))
    (i64.store (i32.const 24) (i64.const 3600000000000))
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0))
    ;; one event record at 64, the count at 128
    (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 128))))
