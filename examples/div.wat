;; Signed i32 division. Dividing by zero traps:
;;   wasmtier run --invoke div examples/div.wat 7 2     prints 3
;;   wasmtier run --invoke div examples/div.wat 1 0     wasm trap: integer divide by zero (exit 3)
(module
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1))))
