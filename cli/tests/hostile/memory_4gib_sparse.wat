;; Attack: a 4 GiB memory (65536 pages, the default maximum) of which the guest touches
;; one byte at each end. Memory must be reserved lazily: the process stays small.
;; `run` returns 2.
(module
  (memory 65536)
  (func (export "run") (result i32)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store8 (i32.const 0xffffffff) (i32.const 1))
    (i32.add (i32.load8_u (i32.const 0)) (i32.load8_u (i32.const 0xffffffff)))))
