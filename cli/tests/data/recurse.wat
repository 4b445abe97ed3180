;; Unbounded recursion: traps with "call stack exhausted" after very many frames.
(module
  (func $down (export "down") (param i32) (result i32)
    (i32.add (call $down (local.get 0)) (i32.const 1))))
