;; A table of 100,001 entries at least, over the structural limit of
;; 100,000: refused before wazero compiles it.
;; Built with: wat2wasm table_limit.wat -o table_limit.wasm
(module
  (table 100001 funcref)
  (func (export "answer") (result i32) i32.const 42))
