;; Attack: a module whose memory has a declared minimum of 65536 pages (4 GiB), run with
;; `--max-memory-pages 16`. Instantiation must fail with a clean error (the minimum
;; exceeds the limit) before anything is allocated.
(module
  (memory 65536)
  (func (export "run") (result i32)
    (i32.store (i32.const 0xfffffff0) (i32.const 1))
    (i32.load (i32.const 0xfffffff0))))
