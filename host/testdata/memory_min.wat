;; Declares a memory of 2,000 pages (125 MiB) at least, over the default
;; limits.memory_mib of 64 MiB: refused when it is compiled.
;; Built with: wat2wasm memory_min.wat -o memory_min.wasm
(module
  (memory (export "memory") 2000)
  (func (export "answer") (result i32) i32.const 42))
