;; Attack: WASI calls with pointers and lengths outside a one-page memory, or whose
;; arithmetic overflows 32 bits (iovec counts * 8, subscription counts * 48, ptr + len).
;; Run with a preopen (`--dir`) as fd 3 and one `--env` variable.
;;
;; Every call must come back with an errno (EFAULT or similar) or trap cleanly; none may
;; panic the host, touch memory outside the guest's, or succeed. `run` returns a bitmask of
;; the calls that returned 0 (success), so the expected result is 0.
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read"
    (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get"
    (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get"
    (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get"
    (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get"
    (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (global $mask (mut i32) (i32.const 0))
  (global $bit (mut i32) (i32.const 1))
  ;; Records one call's errno: a 0 sets the call's bit in the mask.
  (func $expect_error (param $errno i32)
    (if (i32.eqz (local.get $errno))
      (then (global.set $mask (i32.or (global.get $mask) (global.get $bit)))))
    (global.set $bit (i32.shl (global.get $bit) (i32.const 1))))
  (func (export "run") (result i32)
    ;; ciovec at 0: an out-of-bounds buffer; ciovec at 16: an empty valid one;
    ;; iovec at 32: a read buffer past the end.
    (i32.store (i32.const 0) (i32.const 0xffffff00))
    (i32.store (i32.const 4) (i32.const 0x1000))
    (i32.store (i32.const 16) (i32.const 64))
    (i32.store (i32.const 20) (i32.const 0))
    (i32.store (i32.const 32) (i32.const 0xfffffff0))
    (i32.store (i32.const 36) (i32.const 100))
    ;; 1: the iovec array itself out of bounds
    (call $expect_error (call $fd_write (i32.const 1) (i32.const 0xfffffff8) (i32.const 1) (i32.const 8)))
    ;; 2: iovec count * 8 overflows u32
    (call $expect_error (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0x20000000) (i32.const 8)))
    ;; 4: an iovec pointing out of bounds
    (call $expect_error (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; 8: nwritten out of bounds
    (call $expect_error (call $fd_write (i32.const 1) (i32.const 16) (i32.const 1) (i32.const 0xffffffff)))
    ;; 16: a read into a buffer past the end (stdin is /dev/null)
    (call $expect_error (call $fd_read (i32.const 0) (i32.const 32) (i32.const 1) (i32.const 8)))
    ;; 32, 64: random bytes into 4 GiB, and across the end
    (call $expect_error (call $random_get (i32.const 0) (i32.const 0xffffffff)))
    (call $expect_error (call $random_get (i32.const 0xffffffff) (i32.const 2)))
    ;; 128: 2^32 - 1 subscriptions (count * 48 overflows)
    (call $expect_error (call $poll_oneoff (i32.const 0) (i32.const 1024) (i32.const 0xffffffff) (i32.const 8)))
    ;; 256: subscriptions past the end
    (call $expect_error (call $poll_oneoff (i32.const 0xfffffff0) (i32.const 1024) (i32.const 1) (i32.const 8)))
    ;; 512, 1024: argv pointers and sizes out of bounds
    (call $expect_error (call $args_get (i32.const 0xfffffffc) (i32.const 0)))
    (call $expect_error (call $args_sizes_get (i32.const 0xffffffff) (i32.const 0)))
    ;; 2048: environ pointers out of bounds
    (call $expect_error (call $environ_get (i32.const 0xfffffffc) (i32.const 0)))
    ;; 4096: clock result out of bounds
    (call $expect_error (call $clock_time_get (i32.const 1) (i64.const 0) (i32.const 0xfffffffc)))
    ;; 8192: preopen name into a 4 GiB buffer at the end of the address space
    (call $expect_error (call $fd_prestat_dir_name (i32.const 3) (i32.const 0xffffffff) (i32.const 0xffffffff)))
    ;; 16384: a path crossing the end of memory
    (call $expect_error
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 0xffffffff) (i32.const 2) (i32.const 0)
        (i64.const 0x1fffffff) (i64.const 0) (i32.const 0) (i32.const 8)))
    ;; 32768: directory entries into a buffer past the end
    (call $expect_error (call $fd_readdir (i32.const 3) (i32.const 0xffffff00) (i32.const 0x1000) (i64.const 0) (i32.const 8)))
    ;; 65536: a filestat past the end
    (call $expect_error (call $fd_filestat_get (i32.const 3) (i32.const 0xfffffff0)))
    ;; 131072: a path of 256 bytes starting 16 bytes before the end
    (call $expect_error (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0xfff0) (i32.const 0x100) (i32.const 0)))
    (global.get $mask)))
