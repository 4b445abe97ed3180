;; Exception handling beyond the spec suite's cases: payloads of every type (v128 included)
;; landing in labels of every kind (block, loop, the function's own), nested try_tables,
;; try_table parameters, exceptions crossing instances through an imported tag, rethrowing
;; with throw_ref, and the trap of throw_ref on null. Throwing functions have no try_table,
;; so the JIT compiles them while the catching ones run interpreted.

(module $a
  (tag $t (export "t") (param i32 i64 f32 f64 v128 funcref))
  (tag $u (export "u") (param i32))
  (func $f (export "f"))
  (elem declare func $f)
  (func (export "throw_t") (param i32)
    (throw $t
      (local.get 0) (i64.const -2) (f32.const 1.5) (f64.const -0.25)
      (v128.const i32x4 1 2 3 4) (ref.func $f)))
  (func (export "throw_u") (param i32)
    (throw $u (local.get 0))))
(register "a" $a)

(module $b
  (import "a" "t" (tag $t (param i32 i64 f32 f64 v128 funcref)))
  (import "a" "u" (tag $u (param i32)))
  (import "a" "throw_t" (func $throw_t (param i32)))
  (import "a" "throw_u" (func $throw_u (param i32)))
  (tag $local (param i32))

  ;; All payload types arrive (a tag imported from the thrower's instance).
  (func (export "payload") (result i32 i64 f32 f64 i32 i32)
    (local $v v128)
    (block $h (result i32 i64 f32 f64 v128 funcref)
      (try_table (catch $t $h) (call $throw_t (i32.const 7)))
      (unreachable))
    (drop)
    (local.set $v)
    (i32x4.extract_lane 1 (local.get $v))
    (i32x4.extract_lane 3 (local.get $v)))

  ;; The function's own label: the landing pad returns the payload.
  (func (export "to_return") (param i32) (result i32)
    (try_table (catch $u 0) (call $throw_u (local.get 0)))
    (i32.const -1))

  ;; A loop label: each caught exception starts the loop again with the payload.
  (func (export "loop") (param $n i32) (result i32)
    (local $sum i32)
    (i32.const 0)
    (loop $l (param i32)
      (local.set $sum (i32.add (local.get $sum)))
      (if (i32.gt_s (local.get $n) (i32.const 0))
        (then
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (try_table (catch $u $l) (call $throw_u (local.get $n))))))
    (local.get $sum))

  ;; Nested try_tables: the inner one catches only $local, the outer one the rest.
  (func (export "nested") (param i32) (result i32)
    (block $outer (result i32)
      (block $inner (result i32)
        (try_table (catch $u $outer)
          (try_table (catch $local $inner)
            (if (local.get 0)
              (then (throw $local (i32.const 10)))
              (else (call $throw_u (i32.const 20))))))
        (unreachable))
      (i32.add (i32.const 100))
      (return))
    (i32.add (i32.const 200)))

  ;; A try_table with parameters, and values below it that survive the catch.
  (func (export "params") (param i32) (result i32)
    (i32.const 1000)
    (block $h (result i32)
      (local.get 0)
      (try_table (param i32) (catch $u $h)
        (call $throw_u))
      (unreachable))
    (i32.add))

  ;; Rethrown exceptions are the same exception: identity (through exnref) and payload.
  (func $catch_ref (param i32) (result exnref)
    (block $h (result exnref)
      (try_table (catch_all_ref $h) (call $throw_u (local.get 0)))
      (unreachable)))
  (func (export "rethrow") (param i32) (result i32)
    (local $e exnref)
    (local.set $e (call $catch_ref (local.get 0)))
    (block $h (result i32 exnref)
      (try_table (catch_ref $u $h) (throw_ref (local.get $e)))
      (unreachable))
    (drop)
    (i32.mul (i32.const 2)))

  (func (export "throw_null")
    (throw_ref (ref.null exn)))

  ;; An exception of another instance's tag passes a catch of a local tag of the same type.
  (func (export "other_tag") (param i32) (result i32)
    (block $h (result i32)
      (try_table (catch $local $h) (call $throw_u (local.get 0)))
      (return (i32.const -1)))))

(assert_return (invoke "payload")
  (i32.const 7) (i64.const -2) (f32.const 1.5) (f64.const -0.25) (i32.const 2) (i32.const 4))
(assert_return (invoke "to_return" (i32.const 33)) (i32.const 33))
(assert_return (invoke "loop" (i32.const 0)) (i32.const 0))
(assert_return (invoke "loop" (i32.const 4)) (i32.const 6))
(assert_return (invoke "loop" (i32.const 100)) (i32.const 4950))
(assert_return (invoke "nested" (i32.const 1)) (i32.const 110))
(assert_return (invoke "nested" (i32.const 0)) (i32.const 220))
(assert_return (invoke "params" (i32.const 5)) (i32.const 1005))
(assert_return (invoke "rethrow" (i32.const 21)) (i32.const 42))
(assert_trap (invoke "throw_null") "null exception reference")
(assert_exception (invoke "other_tag" (i32.const 3)))
;; Repeated, so that under `auto` the throwing functions run compiled too.
(assert_return (invoke "payload")
  (i32.const 7) (i64.const -2) (f32.const 1.5) (f64.const -0.25) (i32.const 2) (i32.const 4))
(assert_return (invoke "to_return" (i32.const 34)) (i32.const 34))
(assert_return (invoke "nested" (i32.const 1)) (i32.const 110))
(assert_return (invoke "nested" (i32.const 0)) (i32.const 220))
(assert_return (invoke "rethrow" (i32.const 22)) (i32.const 44))
(assert_exception (invoke "other_tag" (i32.const 3)))
(assert_exception (invoke $a "throw_u" (i32.const 1)))

;; Traps are not caught, whatever the clause.
(module
  (tag $e)
  (func (export "trap") (param i32) (result i32)
    (block $h
      (try_table (catch $e $h) (catch_all $h)
        (return (i32.div_u (i32.const 1) (local.get 0)))))
    (i32.const -1)))
(assert_return (invoke "trap" (i32.const 1)) (i32.const 1))
(assert_trap (invoke "trap" (i32.const 0)) "integer divide by zero")
