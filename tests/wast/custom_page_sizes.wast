;; Memories of one-byte pages (the custom-page-sizes proposal), single-memory cases; the
;; proposal's own suite also needs multi-memory and memory64.

(module
  (memory $m 3 10 (pagesize 1))
  (data (i32.const 0) "\01\02\03")
  (func (export "size") (result i32) (memory.size))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "load32") (param i32) (result i32) (i32.load (local.get 0)))
  (func (export "load_at_offset") (param i32) (result i32)
    (i32.load8_u offset=2 (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func (export "fill") (param i32 i32 i32)
    (memory.fill (local.get 0) (local.get 1) (local.get 2))))

(assert_return (invoke "size") (i32.const 3))
(assert_return (invoke "load8" (i32.const 2)) (i32.const 3))
;; The bytes after the end share a host page with the memory: every tier must still trap.
(assert_trap (invoke "load8" (i32.const 3)) "out of bounds memory access")
(assert_trap (invoke "load32" (i32.const 0)) "out of bounds memory access")
(assert_trap (invoke "load_at_offset" (i32.const 1)) "out of bounds memory access")
(assert_trap (invoke "store8" (i32.const 3) (i32.const 9)) "out of bounds memory access")
(assert_trap (invoke "fill" (i32.const 2) (i32.const 9) (i32.const 2)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 1)) (i32.const 3))
(assert_return (invoke "size") (i32.const 4))
(assert_return (invoke "load32" (i32.const 0)) (i32.const 0x00030201))
(assert_return (invoke "store8" (i32.const 3) (i32.const 9)))
(assert_return (invoke "load8" (i32.const 3)) (i32.const 9))
(assert_trap (invoke "load8" (i32.const 4)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 6)) (i32.const 4))
(assert_return (invoke "grow" (i32.const 1)) (i32.const -1))
(assert_return (invoke "size") (i32.const 10))
(assert_return (invoke "fill" (i32.const 4) (i32.const 7) (i32.const 6)))
(assert_return (invoke "load8" (i32.const 9)) (i32.const 7))
(assert_trap (invoke "load8" (i32.const 10)) "out of bounds memory access")

;; Growing across a host page boundary, one byte at a time: the new bytes are zero.
(module
  (memory 4095 (pagesize 1))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
  (func (export "store8") (param i32 i32) (i32.store8 (local.get 0) (local.get 1))))

(assert_return (invoke "store8" (i32.const 4094) (i32.const 1)))
(assert_trap (invoke "load8" (i32.const 4095)) "out of bounds memory access")
(assert_return (invoke "grow" (i32.const 2)) (i32.const 4095))
(assert_return (invoke "load8" (i32.const 4096)) (i32.const 0))
(assert_trap (invoke "load8" (i32.const 4097)) "out of bounds memory access")

;; A memory's page size is part of its type: imports match only the same page size.
(module (memory (export "small") 1 (pagesize 1)))
(register "pages")
(module (memory (export "large") 1))
(register "pages")
(module (import "pages" "small" (memory 1 (pagesize 1))))
(module (import "pages" "large" (memory 1 (pagesize 65536))))
(assert_unlinkable
  (module (import "pages" "small" (memory 1)))
  "incompatible import type")
(assert_unlinkable
  (module (import "pages" "large" (memory 1 (pagesize 1))))
  "incompatible import type")
