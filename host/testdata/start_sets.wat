;; A module whose start function sets a global that its export returns:
;; the start function must still run, once per instance, before any call.
;; Built with: wat2wasm start_sets.wat -o start_sets.wasm
(module
  (global $g (mut i32) (i32.const 0))
  (func $s (global.set $g (i32.const 42)))
  (start $s)
  (func (export "get") (result i32) global.get $g))
