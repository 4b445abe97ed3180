;; Functions for checking how the CLI parses arguments and prints results.
(module
  (func (export "i32_id") (param i32) (result i32) (local.get 0))
  (func (export "i64_id") (param i64) (result i64) (local.get 0))
  (func (export "f32_id") (param f32) (result f32) (local.get 0))
  (func (export "f64_half") (param f64) (result f64)
    (f64.mul (local.get 0) (f64.const 0.5)))
  (func (export "pair") (param i32 i64) (result i64 i32)
    (local.get 1) (local.get 0))
  (func (export "nothing"))
  (func (export "null_ref") (result funcref) (ref.null func))
  (memory (export "mem") 1)
  (func $boom (export "boom") (unreachable)))
