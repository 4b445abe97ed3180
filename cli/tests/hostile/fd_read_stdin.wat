;; Attack: fd_read on stdin that never delivers, run with `--timeout 1`.
;;
;; The harness gives the child a pipe as stdin, keeps the write end open and writes
;; nothing, so read(2) blocks forever inside the host call where the interrupt is never
;; checked. Expected: an "interrupted" trap about one second in.
;;
;; `run` returns fd_read's errno if it ever comes back.
(module
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    ;; one iovec at 0: 100 bytes at 1024; nread at 16
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const 100))
    (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 16))))
