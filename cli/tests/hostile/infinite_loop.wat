;; Control group: a guest that never stops, run with `--timeout 1` and with
;; `--fuel 1000000`. Both must end it quickly with a clean trap ("interrupted",
;; "all fuel consumed").
;;
;; - `run`: `loop br 0`, the tightest loop there is.
;; - `spin_calls`: a loop calling a function that loops briefly, so that both the loop
;;   back-edge and the call path have to check for interruption and fuel.
(module
  (func (export "run") (result i32)
    (loop $forever (br $forever))
    (i32.const 0))
  (func $work (param $n i32) (result i32)
    (loop $l
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (i32.gt_s (local.get $n) (i32.const 0))))
    (local.get $n))
  (func (export "spin_calls") (result i32)
    (loop $forever
      (drop (call $work (i32.const 10)))
      (br $forever))
    (i32.const 0)))
