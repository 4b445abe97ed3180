;; A 64-bit memory (Wasm 3.0's memory64) grown beyond 4 GiB. `touch_gibs` grows the memory
;; by `pages` 64 KiB pages (-1 if the store's limit refuses, 4 GiB unless
;; `--max-memory-pages` raises it), then stores N at the start of the N-th GiB for every
;; whole GiB in memory and returns the sum of what it reads back there.
;;
;;   wasmtier run --max-memory-pages 81920 --invoke touch_gibs examples/memory64.wat 81919
;;   10
(module
  (memory i64 1)
  (func (export "touch_gibs") (param $pages i64) (result i64)
    (local $addr i64) (local $end i64) (local $sum i64)
    (if (i64.eq (memory.grow (local.get $pages)) (i64.const -1))
      (then (return (i64.const -1))))
    (local.set $end (i64.mul (memory.size) (i64.const 65536)))
    (local.set $addr (i64.const 0x4000_0000))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $addr) (local.get $end)))
        (i64.store8 (local.get $addr) (i64.shr_u (local.get $addr) (i64.const 30)))
        (local.set $sum (i64.add (local.get $sum) (i64.load8_u (local.get $addr))))
        (local.set $addr (i64.add (local.get $addr) (i64.const 0x4000_0000)))
        (br $next)))
    (local.get $sum)))
