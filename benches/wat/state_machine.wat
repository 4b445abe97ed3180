;; br_table-heavy state machine driven by a linear congruential generator.
;; Each step: x = x * 1103515245 + 12345; input = (x >> 16) & 3; the current state (0..3)
;; and the input choose the next state and how the accumulator changes.
(module
  (func (export "state_machine") (param $n i32) (result i32)
    (local $i i32) (local $x i32) (local $state i32) (local $acc i32) (local $in i32)
    (local.set $x (i32.const 42))
    (block $done
      (loop $step
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $x (i32.add (i32.mul (local.get $x) (i32.const 1103515245)) (i32.const 12345)))
        (local.set $in (i32.and (i32.shr_u (local.get $x) (i32.const 16)) (i32.const 3)))
        (block $s3
          (block $s2
            (block $s1
              (block $s0
                (br_table $s0 $s1 $s2 $s3 (local.get $state)))
              ;; state 0: count inputs, move to the state named by the input
              (local.set $acc (i32.add (local.get $acc) (local.get $in)))
              (local.set $state (local.get $in))
              (br $s3))
            ;; state 1: double, go to 2 on odd input, else stay
            (local.set $acc (i32.shl (local.get $acc) (i32.const 1)))
            (local.set $state (select (i32.const 2) (i32.const 1) (i32.and (local.get $in) (i32.const 1))))
            (br $s3))
          ;; state 2: mix, go back to 0
          (local.set $acc (i32.xor (local.get $acc) (local.get $x)))
          (local.set $state (i32.const 0))
          (br $s3))
        ;; state 3 (and the join point of the others): states 0-2 branch here too, so state 3's
        ;; own work is guarded by re-checking the state
        (if (i32.eq (local.get $state) (i32.const 3))
          (then
            (local.set $acc (i32.sub (local.get $acc) (i32.const 7)))
            (local.set $state (i32.and (local.get $in) (i32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $step)))
    (local.get $acc)))
