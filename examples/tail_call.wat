;; Mutual recursion in tail position (Wasm 3.0 tail calls): `even(n)` and `odd(n)` call each
;; other n times, in constant stack however large n is.
;;   wasmtier run --invoke even examples/tail_call.wat 10000000
(module
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0))
      (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1)))))))
