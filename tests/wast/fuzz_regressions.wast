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

;; Found by the differential fuzzer as a divergence from wasmi 2.0.0, which computes
;; g4 = -1925185428 here; wabt's spectest-interp agrees with wasmtier (nested multi-value
;; `if`s with a parameter feeding a chain of `global.set`s). See fuzz/README.md.
(module
  (type (;0;) (func (param i32 f64 f64 f32 f32 f32 f32 i32)))
  (type (;1;) (func (param i32) (result i32 i32 i32 i32 i32 i32)))
  (memory (;0;) 32 32)
  (global (;0;) (mut f32) f32.const 32)
  (global (;1;) (mut i32) i32.const -842150451)
  (global (;2;) (mut i64) i64.const 0)
  (global (;3;) (mut i64) i64.const 0)
  (global (export "g4") (;4;) (mut i32) i32.const 0)
  (global (;5;) (mut i32) i32.const 0)
  (elem (;0;) declare externref)
  (elem (;1;) declare externref)
  (elem (;2;) declare externref)
  (func (export "f3") (type 1) (param i32) (result i32 i32 i32 i32 i32 i32)
    (local i32 i32 i32 i32 i32 i32 i32 i32 i64 i32 i32 i32 i32 i64 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 f64 funcref externref f32 externref f32 f32)
    loop ;; label = @1
    end
    elem.drop 1
    loop ;; label = @1
      loop (result f32) ;; label = @2
        local.get 16
        global.get 0
        memory.size
        nop
        f32.convert_i32_s
        global.set 0
        i64.trunc_f32_s
        global.get 0
        local.get 25
        i64.load offset=2097144
        local.tee 9
        i64.extend16_s
        i64.popcnt
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        local.tee 14
        f64.const -0x1.4997d1f5dac1p-178 (;=-0.000000000000000000000000000000000000000000000000000003360460914709644;)
        i32.trunc_sat_f64_s
        global.set 1
        local.set 9
        f32.ceil
        local.tee 65
        f32.const nan (;=NaN;)
        local.get 65
        local.get 65
        f32.eq
        select
        f32.sqrt
        local.tee 66
        f32.const nan (;=NaN;)
        local.get 66
        local.get 66
        f32.eq
        select
        f32.neg
        i32.trunc_sat_f32_u
        memory.size
        i64.load offset=133883 align=4
        i64.store offset=1907997 align=2
        memory.size
        local.get 29
        if (type 1) (param i32) (result i32 i32 i32 i32 i32 i32) ;; label = @3
          local.get 29
          if (type 1) (param i32) (result i32 i32 i32 i32 i32 i32) ;; label = @4
            local.get 29
            if (type 1) (param i32) (result i32 i32 i32 i32 i32 i32) ;; label = @5
              local.get 29
              if (type 1) (param i32) (result i32 i32 i32 i32 i32 i32) ;; label = @6
                local.get 29
                if ;; label = @7
                end
                i32.const 67108864
                i32.const -4194304
                i32.const 2097144
                i32.const -771049708
                i32.const 785788428
              else
                i32.const 2097148
                i32.const -420545665
                i32.const -268435456
                i32.const -2144224133
                i32.const 1073741824
              end
            else
              i32.const 1985232067
              i32.const 286331153
              i32.const -1908166897
              i32.const 814141041
              i32.const 32
            end
          else
            i32.const 393469499
            i32.const -67108864
            i32.const 815103716
            i32.const -8388609
            i32.const 4095
          end
        else
          i32.const -1086808851
          i32.const -1659591247
          i32.const 32
          i32.const -16384
          i32.const 16
        end
        global.get 4
        i32.xor
        global.set 4
        global.get 4
        i32.xor
        global.set 4
        global.get 4
        i32.xor
        global.set 4
        global.get 4
        i32.xor
        global.set 4
        global.get 4
        i32.xor
        global.set 4
        global.get 4
        i32.xor
        global.set 4
        global.get 2
        i64.xor
        global.set 2
        global.get 4
        i32.xor
        global.set 4
        f32.const 0x1.085b6p-130 (;=0.000000000000000000000000000000000000000758667;)
      end
      i32.reinterpret_f32
      global.get 5
      i32.xor
      global.set 5
    end
    i32.const 256
    i32.const 706427160
    i32.const 1190776714
    i32.const 509013284
    i32.const -1073741824
    i32.const 326874260
  )
)

(assert_return (invoke "f3" (i32.const 0))
  (i32.const 256) (i32.const 706427160) (i32.const 1190776714) (i32.const 509013284)
  (i32.const -1073741824) (i32.const 326874260))
(assert_return (get "g4") (i32.const -573310644))
