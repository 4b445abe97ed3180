;; Float-heavy: counts Mandelbrot iterations (at most 100 per point) over an n x n grid of
;; the square [-2, 0.5] x [-1.25, 1.25] and returns the total.
(module
  (func (export "mandelbrot") (param $n i32) (result i32)
    (local $px i32) (local $py i32) (local $iter i32) (local $total i32)
    (local $cx f64) (local $cy f64) (local $x f64) (local $y f64) (local $xt f64) (local $step f64)
    (local.set $step (f64.div (f64.const 2.5) (f64.convert_i32_s (local.get $n))))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s (local.get $py) (local.get $n)))
      (local.set $cy (f64.sub (f64.mul (f64.convert_i32_s (local.get $py)) (local.get $step)) (f64.const 1.25)))
      (local.set $px (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_s (local.get $px) (local.get $n)))
        (local.set $cx (f64.sub (f64.mul (f64.convert_i32_s (local.get $px)) (local.get $step)) (f64.const 2)))
        (local.set $x (f64.const 0))
        (local.set $y (f64.const 0))
        (local.set $iter (i32.const 0))
        (block $escaped (loop $iterate
          (br_if $escaped (i32.ge_s (local.get $iter) (i32.const 100)))
          (br_if $escaped (f64.gt
            (f64.add (f64.mul (local.get $x) (local.get $x)) (f64.mul (local.get $y) (local.get $y)))
            (f64.const 4)))
          (local.set $xt (f64.add (f64.sub (f64.mul (local.get $x) (local.get $x)) (f64.mul (local.get $y) (local.get $y))) (local.get $cx)))
          (local.set $y (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $x)) (local.get $y)) (local.get $cy)))
          (local.set $x (local.get $xt))
          (local.set $iter (i32.add (local.get $iter) (i32.const 1)))
          (br $iterate)))
        (local.set $total (i32.add (local.get $total) (local.get $iter)))
        (local.set $px (i32.add (local.get $px) (i32.const 1)))
        (br $cols)))
      (local.set $py (i32.add (local.get $py) (i32.const 1)))
      (br $rows)))
    (local.get $total)))
