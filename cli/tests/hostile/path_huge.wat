;; Attack: absurd paths handed to path_open / path_create_directory in a preopened
;; directory (fd 3).
;;
;; Each export returns the errno of its last call (0 on success); a clean errno such as
;; ENAMETOOLONG (37), ENOENT (44) or ELOOP (32) is the expected answer. None may crash,
;; hang, or take more than a moment.
;; - `long_path`: a 1 MiB path of 'a's (one component), to path_open and to
;;   path_create_directory.
;; - `many_components`: `a/a/a/.../a`, 100 000 components (200 KB), to both calls.
;; - `dot_components`: `./././.../x`, 100 000 `.` components (200 KB).
;; - `dotdot_walk`: creates `a`, then opens `a/../a/../.../x` just under 4096 bytes,
;;   which is within PATH_MAX and walks ~1600 components (returns the errno of the
;;   final path_create_directory, 0 if `x` was created).
;; - `symlink_bomb`: creates symlink `l` -> `l/l/l/.../l` (2047 components, 4093 bytes)
;;   and opens `l` following links, 5 times: every expansion adds 2047 components to
;;   walk, so the walk must stop at the symlink limit with ELOOP quickly.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 20)
  ;; Paths are built at 65536; the opened fd goes to 16.
  (data (i32.const 32) "a")
  (data (i32.const 40) "l")

  ;; Fills [65536, 65536 + count * len(pattern)) with `pattern` (at $pat, $plen bytes)
  ;; and returns the end.
  (func $repeat (param $pat i32) (param $plen i32) (param $count i32) (result i32)
    (local $at i32) (local $i i32)
    (local.set $at (i32.const 65536))
    (loop $l
      (memory.copy (local.get $at) (local.get $pat) (local.get $plen))
      (local.set $at (i32.add (local.get $at) (local.get $plen)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (local.get $count))))
    (local.get $at))

  (func $open (param $len i32) (param $follow i32) (result i32)
    (call $path_open (i32.const 3) (local.get $follow) (i32.const 65536) (local.get $len)
      (i32.const 0) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0)
      (i32.const 16)))

  (func $mkdir (param $len i32) (result i32)
    (call $path_create_directory (i32.const 3) (i32.const 65536) (local.get $len)))

  (func (export "long_path") (result i32)
    (memory.fill (i32.const 65536) (i32.const 0x61) (i32.const 1048576))
    (drop (call $open (i32.const 1048576) (i32.const 1)))
    (call $mkdir (i32.const 1048576)))

  (func (export "many_components") (result i32)
    (local $end i32)
    (i32.store16 (i32.const 0) (i32.const 0x2f61)) ;; "a/"
    (local.set $end (call $repeat (i32.const 0) (i32.const 2) (i32.const 100000)))
    ;; drop the trailing '/': "a/a/.../a"
    (drop (call $open (i32.sub (local.get $end) (i32.const 65537)) (i32.const 1)))
    (call $mkdir (i32.sub (local.get $end) (i32.const 65537))))

  (func (export "dot_components") (result i32)
    (local $end i32)
    (i32.store16 (i32.const 0) (i32.const 0x2f2e)) ;; "./"
    (local.set $end (call $repeat (i32.const 0) (i32.const 2) (i32.const 100000)))
    (i32.store8 (local.get $end) (i32.const 0x78)) ;; "x"
    (drop (call $open (i32.sub (local.get $end) (i32.const 65535)) (i32.const 1)))
    (call $mkdir (i32.sub (local.get $end) (i32.const 65535))))

  (func (export "dotdot_walk") (result i32)
    (local $end i32) (local $e i32)
    (i32.store8 (i32.const 65536) (i32.const 0x61))
    (local.set $e (call $mkdir (i32.const 1)))
    ;; EEXIST (20) is fine: another tier's run made it already
    (if (i32.and (i32.ne (local.get $e) (i32.const 0)) (i32.ne (local.get $e) (i32.const 20)))
      (then (return (i32.add (i32.const 1000) (local.get $e)))))
    ;; "a/../" * 818 = 4090 bytes, then "x": 4091 bytes
    (i64.store (i32.const 0) (i64.const 0x2f2e2e2f61)) ;; "a/../"
    (local.set $end (call $repeat (i32.const 0) (i32.const 5) (i32.const 818)))
    (i32.store8 (local.get $end) (i32.const 0x78))
    (drop (call $open (i32.sub (local.get $end) (i32.const 65535)) (i32.const 1)))
    (local.set $e (call $mkdir (i32.sub (local.get $end) (i32.const 65535))))
    (if (i32.eq (local.get $e) (i32.const 20)) (then (return (i32.const 0))))
    (local.get $e))

  (func (export "symlink_bomb") (result i32)
    (local $end i32) (local $e i32) (local $i i32)
    (i32.store16 (i32.const 0) (i32.const 0x2f6c)) ;; "l/"
    (local.set $end (call $repeat (i32.const 0) (i32.const 2) (i32.const 2047)))
    ;; target "l/l/.../l" (4093 bytes), link name "l" at 40
    (local.set $e
      (call $path_symlink (i32.const 65536) (i32.sub (local.get $end) (i32.const 65537))
        (i32.const 3) (i32.const 40) (i32.const 1)))
    ;; EEXIST (20) is fine: another tier's run made it already
    (if (i32.and (i32.ne (local.get $e) (i32.const 0)) (i32.ne (local.get $e) (i32.const 20)))
      (then (return (i32.add (i32.const 1000) (local.get $e)))))
    (i32.store8 (i32.const 65536) (i32.const 0x6c))
    (loop $again
      (local.set $e (call $open (i32.const 1) (i32.const 1)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $i) (i32.const 5))))
    (local.get $e)))
