;; A module whose start function never returns: loading it must end in a
;; rejection at limits.load_timeout, not hang the loader (issue 12, break 1).
;; Built with: wat2wasm loop_start.wat -o loop_start.wasm
(module
  (func $s (loop $l (br $l)))
  (start $s)
  (func (export "ok") (result i32) i32.const 1))
