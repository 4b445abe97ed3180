;; Attack: a huge argv / environment copied into a memory far too small for it.
;;
;; The harness passes ~100 000 arguments (or ~20 000 `--env` variables); the guest has one
;; page (64 KiB), asks for the sizes, then calls args_get and environ_get with buffers
;; inside that page anyway. The pointer array alone needs 400 KB: each call must fail
;; with EFAULT (21) or trap cleanly, never write out of bounds or crash.
;;
;; `_start` exits (proc_exit) with 160 + errno of the first call that failed
;; (181 = EFAULT), or 0 when everything fit.
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get"
    (func $environ_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func $check (param $errno i32)
    (if (local.get $errno)
      (then (call $proc_exit (i32.add (i32.const 160) (local.get $errno))))))
  (func (export "_start")
    ;; count at 0, buffer size at 4; pointers from 16, strings from 32768
    (call $check (call $args_sizes_get (i32.const 0) (i32.const 4)))
    (call $check (call $args_get (i32.const 16) (i32.const 32768)))
    (call $check (call $environ_sizes_get (i32.const 0) (i32.const 4)))
    (call $check (call $environ_get (i32.const 16) (i32.const 32768)))))
