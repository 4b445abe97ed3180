;; call_indirect-heavy dispatch: each iteration calls one of four functions through a table.
;;   acc = op[i & 3](acc, i) for i in [0, n)
(module
  (type $binop (func (param i32 i32) (result i32)))
  (table 4 funcref)
  (elem (i32.const 0) $add $sub $mul $xor)
  (func $add (type $binop) (i32.add (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i32.sub (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i32.mul (local.get 0) (i32.or (local.get 1) (i32.const 1))))
  (func $xor (type $binop) (i32.xor (local.get 0) (local.get 1)))
  (func (export "dispatch") (param $n i32) (result i32) (local $i i32) (local $acc i32)
    (local.set $acc (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $acc
          (call_indirect (type $binop)
            (local.get $acc) (local.get $i) (i32.and (local.get $i) (i32.const 3))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
