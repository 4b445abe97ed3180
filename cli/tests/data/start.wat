;; Has a `_start` export, so `wasmtier run` needs no --invoke.
(module
  (func (export "_start") (result i32) (i32.const 7)))
