;; Attack: fd_readdir with useless buffer sizes over a preopened directory (fd 3) that
;; holds 10 000 entries.
;;
;; A 0- or 1-byte buffer can never hold a dirent (24 bytes + name), so every call reports
;; a full buffer and the guest can never advance: a naive loop would spin forever, which
;; is the guest's own problem (the `--timeout`/`--fuel` limits are for that). What the
;; runtime must guarantee is that each such call is cheap and bounded and never writes
;; past the buffer: `tiny` makes 500 calls with each size (cookie 0, and cookies spread
;; over and beyond the directory, up to u64::MAX) and checks a canary byte after the
;; buffer each time.
;;
;; `tiny` returns 0, 160 + errno if a call failed, 20 if bufused exceeded the buffer,
;; 21 if the canary after the buffer was overwritten.
;;
;; `one_per_call` reads the whole directory by the book (resume from the cookie of the
;; last complete entry) with a 32-byte buffer, which holds one entry per call, so it
;; makes ~10 000 calls: it must take time linear in the directory, not quadratic (a
;; runtime that lists and sorts the whole directory on every call does 10^8 entry steps).
;; It returns the number of entries seen (10 002 with `.` and `..`), -1 if a buffer
;; held no complete entry, -2 after 1 000 000 calls, or -(1000 + errno).
(module
  (import "wasi_snapshot_preview1" "fd_readdir"
    (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  ;; buffer at 4096, bufused at 16, canary right after the buffer
  (func $probe (param $len i32) (param $cookie i64) (result i32)
    (local $e i32)
    (i32.store8 (i32.add (i32.const 4096) (local.get $len)) (i32.const 0xaa))
    (local.set $e
      (call $fd_readdir (i32.const 3) (i32.const 4096) (local.get $len) (local.get $cookie)
        (i32.const 16)))
    (if (local.get $e) (then (return (i32.add (i32.const 160) (local.get $e)))))
    (if (i32.gt_u (i32.load (i32.const 16)) (local.get $len)) (then (return (i32.const 20))))
    (if (i32.ne (i32.load8_u (i32.add (i32.const 4096) (local.get $len))) (i32.const 0xaa))
      (then (return (i32.const 21))))
    (i32.const 0))
  (func (export "tiny") (result i32)
    (local $i i32) (local $r i32) (local $cookie i64)
    (loop $calls
      ;; cookies 0, 25, 50, ... 12475 (past the end), and u64::MAX every 100th call
      (local.set $cookie (i64.mul (i64.extend_i32_u (local.get $i)) (i64.const 25)))
      (if (i32.eqz (i32.rem_u (local.get $i) (i32.const 100)))
        (then (local.set $cookie (i64.const -1))))
      (local.set $r (call $probe (i32.const 0) (local.get $cookie)))
      (if (local.get $r) (then (return (local.get $r))))
      (local.set $r (call $probe (i32.const 1) (local.get $cookie)))
      (if (local.get $r) (then (return (local.get $r))))
      (local.set $r (call $probe (i32.const 0) (i64.const 0)))
      (if (local.get $r) (then (return (local.get $r))))
      (local.set $r (call $probe (i32.const 1) (i64.const 0)))
      (if (local.get $r) (then (return (local.get $r))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $calls (i32.lt_u (local.get $i) (i32.const 250))))
    (i32.const 0))
  (func (export "one_per_call") (result i32)
    (local $cookie i64) (local $calls i32) (local $count i32) (local $e i32)
    (local $used i32) (local $at i32) (local $progress i32) (local $namelen i32)
    (loop $call
      (local.set $calls (i32.add (local.get $calls) (i32.const 1)))
      (if (i32.gt_u (local.get $calls) (i32.const 1000000)) (then (return (i32.const -2))))
      (local.set $e
        (call $fd_readdir (i32.const 3) (i32.const 4096) (i32.const 32) (local.get $cookie)
          (i32.const 16)))
      (if (local.get $e) (then (return (i32.sub (i32.const -1000) (local.get $e)))))
      (local.set $used (i32.load (i32.const 16)))
      (local.set $at (i32.const 0))
      (local.set $progress (i32.const 0))
      (block $done
        (loop $entry
          (br_if $done (i32.gt_u (i32.add (local.get $at) (i32.const 24)) (local.get $used)))
          (local.set $namelen (i32.load offset=16 (i32.add (i32.const 4096) (local.get $at))))
          (br_if $done
            (i32.gt_u (i32.add (i32.add (local.get $at) (i32.const 24)) (local.get $namelen))
              (local.get $used)))
          (local.set $cookie (i64.load (i32.add (i32.const 4096) (local.get $at))))
          (local.set $count (i32.add (local.get $count) (i32.const 1)))
          (local.set $progress (i32.const 1))
          (local.set $at (i32.add (i32.add (local.get $at) (i32.const 24)) (local.get $namelen)))
          (br $entry)))
      (if (i32.lt_u (local.get $used) (i32.const 32)) (then (return (local.get $count))))
      (if (i32.eqz (local.get $progress)) (then (return (i32.const -1))))
      (br $call))
    (i32.const -3)))
