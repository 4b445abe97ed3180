;; 64-bit memory and table exports, for `inspect`.
(module
  (table (export "table") i64 2 funcref)
  (memory (export "memory") i64 1 2))
