;; Attack: grow memory one page at a time until refused, touching every new page.
;;
;; Run with `--max-memory-pages 256`: `memory.grow` must return -1 once the memory has 256
;; pages (16 MiB, all of it written), and the guest must be able to carry on and report.
;; `run` returns the final page count (expected 256), or -2 if a grow returned anything
;; other than the old size or -1.
;;
;; `huge_delta` asks for 2^32 - 1 more pages at once (with the default limits): the grow
;; must fail with -1, without trying to allocate anything.
(module
  (memory 1)
  (func (export "run") (result i32)
    (local $old i32)
    (loop $grow
      (local.set $old (memory.grow (i32.const 1)))
      (if (i32.eq (local.get $old) (i32.const -1))
        (then (return (memory.size))))
      (if (i32.ne (local.get $old) (i32.sub (memory.size) (i32.const 1)))
        (then (return (i32.const -2))))
      ;; touch the new page so that it is really committed
      (i32.store (i32.mul (local.get $old) (i32.const 65536)) (local.get $old))
      (br $grow))
    (i32.const -3))
  (func (export "huge_delta") (result i32)
    (memory.grow (i32.const -1))))
