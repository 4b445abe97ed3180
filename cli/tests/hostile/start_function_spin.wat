;; Attack: the module's start function never returns, run with `--timeout 1` (and with
;; `--fuel 1000000`).
;;
;; The start function runs during instantiation. If the `--timeout` watchdog is armed
;; only once the module is instantiated, it never fires and the guest runs forever. The
;; limit must cover the start function too: expected an "interrupted" (or "all fuel
;; consumed") trap about one second in.
(module
  (func $spin (loop $forever (br $forever)))
  (start $spin)
  (func (export "run") (result i32) (i32.const 0)))
