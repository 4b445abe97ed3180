;; Regressions from the differential fuzzer (fuzz/, target `differential`).

;; Code after a block that is never branched to is unreachable; the local set there never
;; runs, so local 2 keeps its default 0 and the divisor `select(1, x, i32.eqz x)` is 1.
;; (wasmi 2.0.0, the fuzzer's oracle, traps with "integer divide by zero" here; the spec
;; result is 0. The fuzz harness skips that pattern, so this script pins wasmtier's behaviour.)
(module
  (memory 2)
  (func (export "rem-after-dead-block") (result i32)
    (local i32 i32 i32 i32)
    local.get 0
    local.set 1
    block
      block
        memory.size
        br 1
      end
      i32.const 0
      local.set 2
    end
    local.get 2
    local.get 0
    local.set 3
    i32.const 1
    local.get 3
    local.get 3
    i32.eqz
    select
    i32.rem_u)
  (func (export "rem-select") (param i32 i32) (result i32)
    (local i32)
    local.get 0
    local.get 1
    local.set 2
    i32.const 1
    local.get 2
    local.get 2
    i32.eqz
    select
    i32.rem_u))

(assert_return (invoke "rem-after-dead-block") (i32.const 0))
(assert_return (invoke "rem-select" (i32.const 7) (i32.const 0)) (i32.const 0))
(assert_return (invoke "rem-select" (i32.const 7) (i32.const 4)) (i32.const 3))
(assert_return (invoke "rem-select" (i32.const -1) (i32.const 16)) (i32.const 15))

;; The same divisor guard right after `local.set` of a constant (wasmi 2.0.0 computes these
;; as if the divisor were 1: 0, -8193 and 0).
(module
  (func (export "rem_u-const") (result i32)
    (local i32)
    i32.const -8193
    i32.const 31
    local.set 0
    i32.const 1
    local.get 0
    local.get 0
    i32.eqz
    select
    i32.rem_u)
  (func (export "div_u-const") (result i32)
    (local i32)
    i32.const -8193
    i32.const 31
    local.set 0
    i32.const 1
    local.get 0
    local.get 0
    i32.eqz
    select
    i32.div_u)
  (func (export "rem_s-const") (result i32)
    (local i32)
    i32.const -8193
    i32.const 31
    local.set 0
    i32.const 1
    local.get 0
    local.get 0
    i32.eqz
    select
    i32.rem_s))

(assert_return (invoke "rem_u-const") (i32.const 26))
(assert_return (invoke "div_u-const") (i32.const 138547067))
(assert_return (invoke "rem_s-const") (i32.const -9))

;; An active element segment at offset -1 (0xffffffff) does not fit: instantiation traps.
;; (wasmi reports this as a structured instantiation error rather than a trap code; the
;; harness maps it to the trap.)
(assert_trap
  (module
    (table 1000 1000 externref)
    (elem (table 0) (i32.const -1) externref (ref.null extern)))
  "out of bounds table access")

;; A block with parameters entered in dead code: the interpreter's translator took the
;; enclosing block's operands for its parameters and dropped them at its `end`.
(module
  (func (export "dead-block-params") (result i32)
    i32.const 7
    block
      br 0
      loop (param i32)
        drop
      end
    end
    i32.const 1
    i32.add)
  (func (export "dead-block-results") (param i32) (result i32)
    local.get 0
    block
      br 0
      block (param i32 i32) (result i64)
        unreachable
      end
      drop
    end
    i32.const 1
    i32.add)
  (func (export "dead-if-params") (param i32) (result i32)
    i32.const 40
    block (result i32)
      i32.const 5
      br 0
      if (param i32 i32) (result i32)
        drop
      else
        i32.add
      end
    end
    i32.add))

(assert_return (invoke "dead-block-params") (i32.const 8))
(assert_return (invoke "dead-block-results" (i32.const 9)) (i32.const 10))
(assert_return (invoke "dead-if-params" (i32.const 1)) (i32.const 45))
