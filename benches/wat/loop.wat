;; A loop-heavy computation: the sum over i in [0, n) of (i * i) mod 1000003, in i64.
;; Dominated by locals, arithmetic and a backward branch.
(module
  (func (export "sum_loop") (param $n i32) (result i64)
    (local $i i64) (local $acc i64) (local $end i64)
    (local.set $end (i64.extend_i32_u (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $end)))
        (local.set $acc
          (i64.add
            (local.get $acc)
            (i64.rem_u (i64.mul (local.get $i) (local.get $i)) (i64.const 1000003))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $acc)))
