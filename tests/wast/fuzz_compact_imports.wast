;; Regression from the `validate` fuzz target (fuzz/): the compact import encoding of the
;; compact-imports proposal (an import name followed by 0x7E or 0x7F instead of an import
;; kind) is not Wasm 2.0. In Wasm 2.0 the byte after the import's names is the import kind
;; (0x00..0x03), so these modules are malformed ("malformed import kind").

;; Found by the fuzzer: one import from module "" written as `"" 0x7E (global f32) vec("")`.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\02\09"                 ;; import section, 9 bytes
    "\01"                    ;; 1 import
    "\00"                    ;; module name ""
    "\00"                    ;; name ""
    "\7e"                    ;; not an import kind
    "\03\7d\00"              ;; global f32 (const)
    "\01\00"                 ;; vec of one name ""
  )
  "malformed import kind")

;; The other compact form: `"" 0x7F vec(("" (global f32)))`.
(assert_malformed
  (module binary
    "\00asm" "\01\00\00\00"
    "\02\09"                 ;; import section, 9 bytes
    "\01"                    ;; 1 import
    "\00"                    ;; module name ""
    "\00"                    ;; name ""
    "\7f"                    ;; not an import kind
    "\01"                    ;; vec of one item
    "\00"                    ;; name ""
    "\03\7d\00"              ;; global f32 (const)
  )
  "malformed import kind")
