;; Recursive factorial on i64.
;;   cargo run --release -p wasmtier-cli -- run --invoke fac examples/fac.wat 20
;; prints 2432902008176640000 (20! is the largest factorial that fits in an i64).
(module
  (func $fac (export "fac") (param $n i64) (result i64)
    (if (result i64) (i64.le_s (local.get $n) (i64.const 1))
      (then (i64.const 1))
      (else
        (i64.mul
          (local.get $n)
          (call $fac (i64.sub (local.get $n) (i64.const 1))))))))
