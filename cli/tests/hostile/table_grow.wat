;; Attack: grow a funcref table by 100 000 elements at a time until refused, run with
;; `--max-table-elements 1000000`. `table.grow` must return -1 at the limit; `run`
;; returns the final size (expected 1000000), or -2 on an inconsistent grow result.
;;
;; `huge_delta` asks for 2^32 - 1 more elements at once (with the default limits): the
;; grow must fail with -1, without trying to allocate anything.
(module
  (table $t 0 funcref)
  (func $f)
  (elem declare func $f)
  (func (export "run") (result i32)
    (local $old i32)
    (loop $grow
      (local.set $old (table.grow $t (ref.func $f) (i32.const 100000)))
      (if (i32.eq (local.get $old) (i32.const -1))
        (then (return (table.size $t))))
      (if (i32.ne (local.get $old) (i32.sub (table.size $t) (i32.const 100000)))
        (then (return (i32.const -2))))
      (br $grow))
    (i32.const -3))
  (func (export "huge_delta") (result i32)
    (table.grow $t (ref.null func) (i32.const -1))))
