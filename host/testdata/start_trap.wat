;; A module whose start function traps: refused at load, saying so.
;; Built with: wat2wasm start_trap.wat -o start_trap.wasm
(module
  (func $boom unreachable)
  (start $boom)
  (func (export "answer") (result i32) i32.const 42))
