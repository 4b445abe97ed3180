;; The interpreter fuses pairs of ops that real programs run back to back: an `i32.add` (of
;; two values, of a constant, or of a shifted index) into the load or store that uses the
;; sum as its address; shift-and-mask, multiply-add and shift-pair sign extensions; two
;; copies; a `local.tee` increment with the `br_if` that tests it; and a comparison negated
;; by `i32.eqz` with its branch; `br_table` on `x + k`, and tables whose entries target a
;; loop, a block with a value, and the function's return. These functions use each shape at its edges (addresses
;; that wrap at 2^32, the last byte of memory, shifts of 31, negative steps) and compare
;; with known results; every tier runs them.
(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08")
  (data (i32.const 65528) "\f1\f2\f3\f4\f5\f6\f7\f8")

  ;; Loads from `a + b` (offset 0, and a small offset), `a + k`, and `a + (b << 2)`.
  (func (export "load_sum") (param $a i32) (param $b i32) (result i32)
    (i32.load8_u (i32.add (local.get $a) (local.get $b))))
  (func (export "load_sum_offset") (param $a i32) (param $b i32) (result i32)
    (i32.load16_u offset=6 (i32.add (local.get $a) (local.get $b))))
  (func (export "load_sum_big_offset") (param $a i32) (param $b i32) (result i32)
    (i32.load8_u offset=65536 (i32.add (local.get $a) (local.get $b))))
  (func (export "load_plus_k") (param $a i32) (result i32)
    (i32.load8_s (i32.add (local.get $a) (i32.const -4))))
  (func (export "load_plus_k_offset") (param $a i32) (result i32)
    (i32.load8_u offset=1 (i32.add (local.get $a) (i32.const -4))))
  (func (export "load_index") (param $base i32) (param $i i32) (result i32)
    (i32.load (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 2)))))
  (func (export "load_index_left") (param $base i32) (param $i i32) (result i64)
    (i64.load8_u (i32.add (i32.shl (local.get $i) (i32.const 33)) (local.get $base))))

  ;; The same for stores; each returns what it wrote, read back plainly.
  (func (export "store_sum") (param $a i32) (param $b i32) (param $v i32) (result i32)
    (i32.store16 offset=2 (i32.add (local.get $a) (local.get $b)) (local.get $v))
    (i32.load16_u offset=2 (i32.add (local.get $a) (local.get $b))))
  (func (export "store_plus_k") (param $a i32) (param $v i64) (result i64)
    (i64.store (i32.add (local.get $a) (i32.const 8)) (local.get $v))
    (i64.load offset=8 (local.get $a)))
  (func (export "store_index") (param $base i32) (param $i i32) (param $v i32) (result i32)
    (i32.store8 (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 1)))
      (local.get $v))
    (i32.load8_u (i32.add (local.get $base) (i32.shl (local.get $i) (i32.const 1)))))
  ;; A sum kept in a local is not folded: the local must hold it afterwards.
  (func (export "sum_in_local") (param $a i32) (param $b i32) (result i32)
    (local $p i32)
    (i32.load8_u (local.tee $p (i32.add (local.get $a) (local.get $b))))
    (i32.mul (local.get $p) (i32.const 1000))
    (i32.add))

  ;; Arithmetic pairs.
  (func (export "field") (param $x i32) (result i32)
    (i32.and (i32.shr_u (local.get $x) (i32.const 7)) (i32.const 0x3ff)))
  (func (export "field_shift_31") (param $x i32) (result i32)
    (i32.and (i32.shr_u (local.get $x) (i32.const 63)) (i32.const 0xffff)))
  (func (export "mul_add") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (i32.add (i32.mul (local.get $a) (local.get $b)) (local.get $c)))
  (func (export "add_mul") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (i32.add (local.get $c) (i32.mul (local.get $a) (local.get $b))))
  (func (export "dot") (param $n i32) (result i32)
    (local $i i32) (local $acc i32)
    (loop $next
      (local.set $acc
        (i32.add (local.get $acc)
          (i32.mul (i32.load8_u (local.get $i)) (i32.load8_u offset=1 (local.get $i)))))
      (br_if $next (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                           (local.get $n))))
    (local.get $acc))
  (func (export "ext16") (param $x i32) (result i32)
    (i32.shr_s (i32.shl (local.get $x) (i32.const 16)) (i32.const 16)))
  (func (export "ext8") (param $x i32) (result i32)
    (i32.shr_s (i32.shl (local.get $x) (i32.const 24)) (i32.const 24)))
  (func (export "not_ext") (param $x i32) (result i32)
    (i32.shr_s (i32.shl (local.get $x) (i32.const 16)) (i32.const 8)))

  ;; Two copies in a row, the second reading what the first wrote.
  (func (export "rotate") (param $a i32) (param $b i32) (param $c i32) (result i32)
    (local $t i32)
    (local.set $t (local.get $a))
    (local.set $a (local.get $b))
    (local.set $b (local.get $c))
    (local.set $c (local.get $t))
    (i32.add (i32.mul (local.get $a) (i32.const 100))
      (i32.add (i32.mul (local.get $b) (i32.const 10)) (local.get $c))))

  ;; Counting loops: `local.tee` of an increment, then `br_if` on it (non-zero), or `if`
  ;; on it (taken when zero), or a `br_if` out of the loop.
  (func (export "count_down") (param $n i32) (result i32)
    (local $steps i32)
    (loop $next
      (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
      (br_if $next (local.tee $n (i32.add (local.get $n) (i32.const -1)))))
    (local.get $steps))
  (func (export "count_up_to_zero") (param $n i32) (result i32)
    (local $steps i32)
    (block $done
      (loop $next
        (local.set $steps (i32.add (local.get $steps) (i32.const 1)))
        (br_if $done (i32.eqz (local.tee $n (i32.add (local.get $n) (i32.const 3)))))
        (br $next)))
    (local.get $steps))
  (func (export "step_is_zero") (param $n i32) (result i32)
    (if (result i32) (local.tee $n (i32.add (local.get $n) (i32.const 32767)))
      (then (local.get $n)) (else (i32.const -1))))

  ;; `br_table` on a sum with a constant (wrapping: 0 - 1 is the default).
  (func (export "switch") (param $x i32) (result i32)
    (block $d (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 $d (i32.add (local.get $x) (i32.const -1))))
      (return (i32.const 10)))
      (return (i32.const 11)))
      (return (i32.const 12)))
    (i32.const 13))
  ;; Entries to a loop (carrying a value, three times), to a block, and a return.
  (func (export "table_kinds") (param $x i32) (result i32)
    (local $n i32)
    (i32.add
      (block $out (result i32)
        (i32.const 0)
        (loop $again (param i32) (result i32)
          (i32.add (i32.const 1))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br_table $again $out 2
            (select (i32.const 0) (i32.add (local.get $x) (i32.const 1))
              (i32.lt_u (local.get $n) (i32.const 3))))))
      (i32.const 100)))

  ;; Negated comparisons with their branch.
  (func (export "not_less") (param $a i32) (param $b i32) (result i32)
    (block $yes
      (br_if $yes (i32.eqz (i32.lt_s (local.get $a) (local.get $b))))
      (return (i32.const 0)))
    (i32.const 1))
  (func (export "not_bit") (param $a i32) (result i32)
    (if (result i32) (i32.eqz (i32.and (local.get $a) (i32.const 64)))
      (then (i32.const 10)) (else (i32.const 20))))
  (func (export "not_float_less") (param $a f64) (param $b f64) (result i32)
    (block $yes
      (br_if $yes (i32.eqz (f64.lt (local.get $a) (local.get $b))))
      (return (i32.const 0)))
    (i32.const 1))
)

(assert_return (invoke "load_sum" (i32.const 2) (i32.const 3)) (i32.const 6))
(assert_return (invoke "load_sum" (i32.const -1) (i32.const 1)) (i32.const 1))
(assert_return (invoke "load_sum" (i32.const 65535) (i32.const 0)) (i32.const 0xf8))
(assert_trap (invoke "load_sum" (i32.const 65535) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "load_sum_offset" (i32.const -2) (i32.const 3)) (i32.const 0x0008))
(assert_trap (invoke "load_sum_offset" (i32.const -2) (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_sum_offset" (i32.const 65528) (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "load_sum_big_offset" (i32.const -1) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "load_plus_k" (i32.const 5)) (i32.const 2))
(assert_return (invoke "load_plus_k" (i32.const 65539)) (i32.const -8))
(assert_trap (invoke "load_plus_k" (i32.const 2)) "out of bounds memory access")
(assert_trap (invoke "load_plus_k" (i32.const 3)) "out of bounds memory access")
(assert_return (invoke "load_plus_k_offset" (i32.const 4)) (i32.const 2))
(assert_trap (invoke "load_plus_k_offset" (i32.const 3)) "out of bounds memory access")
(assert_return (invoke "load_index" (i32.const 0) (i32.const 1)) (i32.const 0x08070605))
(assert_return (invoke "load_index" (i32.const 65536) (i32.const 0x3fffffff)) (i32.const 0xf8f7f6f5))
(assert_trap (invoke "load_index" (i32.const 65533) (i32.const 0)) "out of bounds memory access")
(assert_return (invoke "load_index_left" (i32.const 3) (i32.const 1)) (i64.const 6))
(assert_return (invoke "store_sum" (i32.const 100) (i32.const -50) (i32.const 0x12345)) (i32.const 0x2345))
(assert_return (invoke "store_sum" (i32.const -2) (i32.const 40) (i32.const 7)) (i32.const 7))
(assert_trap (invoke "store_sum" (i32.const 65533) (i32.const 0) (i32.const 7)) "out of bounds memory access")
(assert_return (invoke "store_plus_k" (i32.const 16) (i64.const -3)) (i64.const -3))
(assert_trap (invoke "store_plus_k" (i32.const 65521) (i64.const 1)) "out of bounds memory access")
(assert_return (invoke "store_index" (i32.const 200) (i32.const 5) (i32.const 300)) (i32.const 44))
(assert_trap (invoke "store_index" (i32.const 0) (i32.const 0x8000) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "sum_in_local" (i32.const 1) (i32.const 2)) (i32.const 3004))

(assert_return (invoke "field" (i32.const -1)) (i32.const 0x3ff))
(assert_return (invoke "field" (i32.const 0x12345)) (i32.const 0x246))
(assert_return (invoke "field_shift_31" (i32.const -1)) (i32.const 1))
(assert_return (invoke "field_shift_31" (i32.const 0x7fffffff)) (i32.const 0))
(assert_return (invoke "mul_add" (i32.const 0x10000) (i32.const 0x10001) (i32.const 5)) (i32.const 0x10005))
(assert_return (invoke "add_mul" (i32.const -3) (i32.const 7) (i32.const 1)) (i32.const -20))
(assert_return (invoke "dot" (i32.const 7)) (i32.const 168))
(assert_return (invoke "ext16" (i32.const 0x18000)) (i32.const -32768))
(assert_return (invoke "ext16" (i32.const 0x7fff)) (i32.const 0x7fff))
(assert_return (invoke "ext8" (i32.const 0x1ff)) (i32.const -1))
(assert_return (invoke "ext8" (i32.const 0x17f)) (i32.const 0x7f))
(assert_return (invoke "not_ext" (i32.const 0x8001)) (i32.const 0xff800100))

(assert_return (invoke "rotate" (i32.const 1) (i32.const 2) (i32.const 3)) (i32.const 231))

(assert_return (invoke "count_down" (i32.const 5)) (i32.const 5))
(assert_return (invoke "count_up_to_zero" (i32.const -12)) (i32.const 4))
(assert_return (invoke "step_is_zero" (i32.const -32767)) (i32.const -1))
(assert_return (invoke "step_is_zero" (i32.const 1)) (i32.const 32768))

(assert_return (invoke "not_less" (i32.const 1) (i32.const 2)) (i32.const 0))
(assert_return (invoke "not_less" (i32.const 2) (i32.const 2)) (i32.const 1))
(assert_return (invoke "not_bit" (i32.const 64)) (i32.const 20))
(assert_return (invoke "not_bit" (i32.const 63)) (i32.const 10))
(assert_return (invoke "not_float_less" (f64.const 1) (f64.const 2)) (i32.const 0))
(assert_return (invoke "not_float_less" (f64.const nan) (f64.const 2)) (i32.const 1))
(assert_return (invoke "not_float_less" (f64.const 2) (f64.const 2)) (i32.const 1))

(assert_return (invoke "switch" (i32.const 1)) (i32.const 10))
(assert_return (invoke "switch" (i32.const 3)) (i32.const 12))
(assert_return (invoke "switch" (i32.const 0)) (i32.const 13))
(assert_return (invoke "switch" (i32.const 5)) (i32.const 13))
(assert_return (invoke "table_kinds" (i32.const 0)) (i32.const 103))
(assert_return (invoke "table_kinds" (i32.const 1)) (i32.const 3))
(assert_return (invoke "table_kinds" (i32.const 7)) (i32.const 3))
