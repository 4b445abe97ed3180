;; The interpreter fuses local-operand arithmetic with the `local.set`/`local.tee`/`br_if`/`if`
;; around it (`LocalBinSet`, `LocalBin2Set`, `BinSet`, `BrIfLocalBin2Nez/Eqz`). These
;; functions use each shape with every kind of value and compare with known results; every
;; tier runs them.
(module
  ;; sum of i*i for i in [0, n): `br_if (i32.ge_u i n)` on two locals, `local.set` of an add.
  (func (export "squares") (param $n i32) (result i64) (local $i i32) (local $acc i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc)
          (i64.extend_i32_u (i32.mul (local.get $i) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))

  ;; `if` on a compare of two locals (jumps when the compare is zero).
  (func (export "max_s") (param $a i32) (param $b i32) (result i32)
    (if (result i32) (i32.gt_s (local.get $a) (local.get $b))
      (then (local.get $a)) (else (local.get $b))))
  (func (export "max_f64") (param $a f64) (param $b f64) (result f64)
    (if (result f64) (f64.gt (local.get $a) (local.get $b))
      (then (local.get $a)) (else (local.get $b))))

  ;; `br_if` on a non-comparison i32 op of two locals (any non-zero bits branch).
  (func (export "and_nonzero") (param $a i32) (param $b i32) (result i32)
    (block $yes
      (br_if $yes (i32.and (local.get $a) (local.get $b)))
      (return (i32.const 0)))
    (i32.const 1))

  ;; local.tee of a local-local op, then used again.
  (func (export "tee") (param $a i64) (param $b i64) (result i64) (local $t i64)
    (i64.mul (local.tee $t (i64.sub (local.get $a) (local.get $b))) (local.get $t)))

  ;; local.set of (top op local) and of (pop op pop), in f32 and i64.
  (func (export "mix_f32") (param $a f32) (param $b f32) (result f32) (local $r f32)
    (local.set $r (f32.mul (f32.add (local.get $a) (f32.const 1)) (local.get $b)))
    (local.set $r (f32.sub (f32.add (local.get $r) (local.get $r)) (f32.const 0.5)))
    (local.get $r))
  (func (export "shifts") (param $x i64) (param $s i64) (result i64) (local $r i64)
    (local.set $r (i64.shl (local.get $x) (local.get $s)))
    (local.set $r (i64.shr_s (i64.xor (local.get $r) (i64.const -1)) (local.get $s)))
    (local.get $r))
  ;; the destination is one of the operands
  (func (export "self_update") (param $a i32) (param $b i32) (result i32)
    (local.set $a (i32.sub (local.get $a) (local.get $b)))
    (local.set $b (i32.rotl (local.get $a) (local.get $b)))
    (i32.xor (local.get $a) (local.get $b)))
)

(assert_return (invoke "squares" (i32.const 0)) (i64.const 0))
(assert_return (invoke "squares" (i32.const 10)) (i64.const 285))
(assert_return (invoke "squares" (i32.const 1000)) (i64.const 332833500))
(assert_return (invoke "max_s" (i32.const -5) (i32.const 3)) (i32.const 3))
(assert_return (invoke "max_s" (i32.const 7) (i32.const -9)) (i32.const 7))
(assert_return (invoke "max_s" (i32.const 4) (i32.const 4)) (i32.const 4))
(assert_return (invoke "max_f64" (f64.const 1.5) (f64.const -2)) (f64.const 1.5))
(assert_return (invoke "max_f64" (f64.const nan) (f64.const 2)) (f64.const 2))
(assert_return (invoke "and_nonzero" (i32.const 0x0f0) (i32.const 0x00f)) (i32.const 0))
(assert_return (invoke "and_nonzero" (i32.const 0x0f0) (i32.const 0x010)) (i32.const 1))
(assert_return (invoke "and_nonzero" (i32.const 0x80000000) (i32.const -1)) (i32.const 1))
(assert_return (invoke "tee" (i64.const 10) (i64.const 3)) (i64.const 49))
(assert_return (invoke "tee" (i64.const 3) (i64.const 10)) (i64.const 49))
(assert_return (invoke "mix_f32" (f32.const 1) (f32.const 2)) (f32.const 7.5))
(assert_return (invoke "shifts" (i64.const 1) (i64.const 63)) (i64.const 0))
(assert_return (invoke "shifts" (i64.const 3) (i64.const 4)) (i64.const -4))
(assert_return (invoke "self_update" (i32.const 10) (i32.const 3)) (i32.const 63))

;; Loads addressed by a local (`I32LoadLocal`, `I32Load8ULocal`) and local + constant
;; (`LocalAddConst`, and the loop-counter `LocalIncrI32` it turns into).
(module
  (memory 1)
  (data (i32.const 0) "\01\02\03\04\05\06\07\08\ff")
  (func (export "load_at") (param $p i32) (result i32) (i32.load offset=1 (local.get $p)))
  (func (export "byte_at") (param $p i32) (result i32) (i32.load8_u offset=8 (local.get $p)))
  (func (export "add_const") (param $x i32) (result i32) (i32.add (local.get $x) (i32.const 0x7fffffff)))
  (func (export "count_to") (param $n i32) (result i32) (local $i i32)
    (block $done (loop $next
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 3)))
      (br $next)))
    (local.get $i))
  (func (export "two_then_load") (param $a i32) (param $p i32) (result i32)
    (i32.add (local.get $a) (i32.load (local.get $p))))
)
(assert_return (invoke "load_at" (i32.const 0)) (i32.const 0x05040302))
(assert_return (invoke "load_at" (i32.const 65531)) (i32.const 0))
(assert_trap (invoke "load_at" (i32.const 65532)) "out of bounds memory access")
(assert_trap (invoke "load_at" (i32.const -1)) "out of bounds memory access")
(assert_return (invoke "byte_at" (i32.const 0)) (i32.const 255))
(assert_trap (invoke "byte_at" (i32.const 65528)) "out of bounds memory access")
(assert_return (invoke "add_const" (i32.const 1)) (i32.const 0x80000000))
(assert_return (invoke "add_const" (i32.const -0x7fffffff)) (i32.const 0))
(assert_return (invoke "count_to" (i32.const 10)) (i32.const 12))
(assert_return (invoke "two_then_load" (i32.const 10) (i32.const 4)) (i32.const 0x0807060F))
