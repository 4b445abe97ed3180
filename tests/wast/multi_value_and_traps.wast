;; wasmtier's own smoke script: multi-value blocks, traps, spectest imports, registration.

(module $math
  (func (export "swap") (param i32 i32) (result i32 i32)
    local.get 1
    local.get 0)

  ;; A block taking two parameters and producing two results.
  (func (export "divmod") (param i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    block (param i32 i32) (result i32 i32)
      call $divmod_u
    end)

  (func $divmod_u (param i32 i32) (result i32 i32)
    local.get 0
    local.get 1
    i32.div_u
    local.get 0
    local.get 1
    i32.rem_u)

  (func (export "if-pair") (param i32) (result i64 f64)
    local.get 0
    if (result i64 f64)
      i64.const 1
      f64.const 1.5
    else
      i64.const -1
      f64.const -1.5
    end)

  (func (export "loop-sum") (param i32) (result i32)
    (local $acc i32)
    loop $again
      local.get 0
      local.get $acc
      i32.add
      local.set $acc
      local.get 0
      i32.const 1
      i32.sub
      local.tee 0
      br_if $again
    end
    local.get $acc)

  (func (export "trap-unreachable") unreachable)
  (func (export "nan") (result f32) f32.const 0 f32.const 0 f32.div)
  (func $forever (export "forever") call $forever)
)

(assert_return (invoke "swap" (i32.const 1) (i32.const 2)) (i32.const 2) (i32.const 1))
(assert_return (invoke "divmod" (i32.const 17) (i32.const 5)) (i32.const 3) (i32.const 2))
(assert_return (invoke "if-pair" (i32.const 1)) (i64.const 1) (f64.const 1.5))
(assert_return (invoke "if-pair" (i32.const 0)) (i64.const -1) (f64.const -1.5))
(assert_return (invoke "loop-sum" (i32.const 10)) (i32.const 55))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_trap (invoke "divmod" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "trap-unreachable") "unreachable")
(assert_exhaustion (invoke "forever") "call stack exhausted")

;; Registered modules and the spectest host module as imports.
(register "math" $math)
(module $user
  (import "math" "swap" (func $swap (param i32 i32) (result i32 i32)))
  (import "spectest" "global_i32" (global $g i32))
  (import "spectest" "print_i32" (func $print (param i32)))
  (import "spectest" "memory" (memory 1))
  (func (export "swap-g") (param i32) (result i32 i32)
    local.get 0
    global.get $g
    call $swap)
  (func (export "store-load") (param i32) (result i32)
    local.get 0
    call $print
    i32.const 8
    local.get 0
    i32.store
    i32.const 8
    i32.load)
  (func (export "oob") (result i32) i32.const 65536 i32.load)
  (func (export "id-extern") (param externref) (result externref) local.get 0)
  (global (export "g") i32 (i32.const 42))
)
(assert_return (invoke "swap-g" (i32.const 5)) (i32.const 666) (i32.const 5))
(assert_return (invoke $user "store-load" (i32.const 77)) (i32.const 77))
(assert_trap (invoke "oob") "out of bounds memory access")
(assert_return (invoke "id-extern" (ref.extern 3)) (ref.extern 3))
(assert_return (invoke "id-extern" (ref.null extern)) (ref.null extern))
(assert_return (get "g") (i32.const 42))
(assert_return (get $user "g") (i32.const 42))

(assert_unlinkable
  (module (import "math" "missing" (func)))
  "unknown import")
(assert_unlinkable
  (module (import "math" "swap" (func (param i64))))
  "incompatible import type")

;; A start function that traps makes instantiation fail.
(assert_trap (module (func $start unreachable) (start $start)) "unreachable")

(assert_invalid (module (func (result i32) i64.const 0)) "type mismatch")
(assert_malformed (module quote "(func (result i32) i32.const)") "unexpected token")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
