;; Attack: write to a stdout whose reader has gone away.
;;
;; The harness closes the read end of the child's stdout pipe before the guest runs, so
;; every write fails with EPIPE (and SIGPIPE, were it not ignored). The guest writes 1000
;; times anyway; the runtime must hand back an errno each time (EPIPE = 64) and end
;; cleanly, even though the CLI cannot print the result either: a clean `error:`, not a
;; panic or a death by SIGPIPE.
;;
;; As stdout is gone, `run` reports through its exit status: proc_exit(160 + errno) of the
;; last fd_write (224 for EPIPE), or returns 0 if every write "succeeded".
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "hello, is anyone there?\n")
  (func (export "run") (result i32)
    (local $i i32) (local $e i32)
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 24))
    (loop $again
      (local.set $e (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 1000))))
    (if (local.get $e) (then (call $proc_exit (i32.add (i32.const 160) (local.get $e)))))
    (i32.const 0)))
