;; Attack: an active data segment that starts inside memory but runs past its end
;; (4 bytes at 65534 of a one-page memory). Instantiation must fail cleanly with an
;; out-of-bounds trap or error, in every tier.
(module
  (memory 1)
  (data (i32.const 65534) "abcd")
  (func (export "run") (result i32) (i32.const 0)))
