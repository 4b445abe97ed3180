;; The smallest useful module: without WASI there is no way to print, so `hello` returns 42.
;;   wasmtier run --invoke hello examples/hello.wat     prints 42
(module
  (func (export "hello") (result i32)
    (i32.const 42)))
