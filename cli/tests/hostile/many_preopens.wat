;; Attack: the same directory granted hundreds or thousands of times (`--dir` repeated).
;; Each grant is a descriptor; the run must either work (every preopen visible to the
;; guest) or fail cleanly (e.g. out of descriptors), never crash.
;;
;; `run` counts the preopens with fd_prestat_get from fd 3 on until one fails, and opens
;; `probe.txt` through the last one (returns -(1000 + errno) if that fails), returning
;; the count.
(module
  (import "wasi_snapshot_preview1" "fd_prestat_get"
    (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "probe.txt")
  (func (export "run") (result i32)
    (local $fd i32) (local $e i32)
    (local.set $fd (i32.const 3))
    (loop $count
      (if (i32.eqz (call $fd_prestat_get (local.get $fd) (i32.const 0)))
        (then
          (local.set $fd (i32.add (local.get $fd) (i32.const 1)))
          (br $count))))
    (if (i32.eq (local.get $fd) (i32.const 3)) (then (return (i32.const 0))))
    (local.set $e
      (call $path_open (i32.sub (local.get $fd) (i32.const 1)) (i32.const 0) (i32.const 64)
        (i32.const 9) (i32.const 0) (i64.const 0x1fffffff) (i64.const 0) (i32.const 0)
        (i32.const 16)))
    (if (local.get $e) (then (return (i32.sub (i32.const -1000) (local.get $e)))))
    (i32.sub (local.get $fd) (i32.const 3))))
