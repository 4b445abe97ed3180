;; Memory-heavy: multiplies two n x n i32 matrices stored in linear memory (n <= 128) and
;; returns the wrapping sum of the product. A[i][j] = i + j, B[i][j] = i - j.
(module
  (memory 4)
  (func (export "matmul") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $k i32) (local $sum i32) (local $total i32)
    (local $a i32) (local $b i32) (local $c i32)
    ;; A at 0, B at n*n*4, C at 2*n*n*4
    (local.set $b (i32.mul (i32.mul (local.get $n) (local.get $n)) (i32.const 4)))
    (local.set $c (i32.shl (local.get $b) (i32.const 1)))
    (local.set $i (i32.const 0))
    (block $fill_done (loop $fill_i
      (br_if $fill_done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $row_done (loop $fill_j
        (br_if $row_done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $a (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2)))
        (i32.store (local.get $a) (i32.add (local.get $i) (local.get $j)))
        (i32.store (i32.add (local.get $b) (local.get $a)) (i32.sub (local.get $i) (local.get $j)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $fill_j)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $fill_i)))
    (local.set $i (i32.const 0))
    (block $i_done (loop $loop_i
      (br_if $i_done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $j (i32.const 0))
      (block $j_done (loop $loop_j
        (br_if $j_done (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $sum (i32.const 0))
        (local.set $k (i32.const 0))
        (block $k_done (loop $loop_k
          (br_if $k_done (i32.ge_s (local.get $k) (local.get $n)))
          (local.set $sum (i32.add (local.get $sum)
            (i32.mul
              (i32.load (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $k)) (i32.const 2)))
              (i32.load (i32.add (local.get $b)
                (i32.shl (i32.add (i32.mul (local.get $k) (local.get $n)) (local.get $j)) (i32.const 2)))))))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $loop_k)))
        (i32.store
          (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $n)) (local.get $j)) (i32.const 2)))
          (local.get $sum))
        (local.set $total (i32.add (local.get $total) (local.get $sum)))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $loop_j)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $loop_i)))
    (local.get $total)))
