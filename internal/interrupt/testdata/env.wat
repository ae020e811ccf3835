;; The "env" module features.wasm imports its global from.
;; Built with: wat2wasm env.wat -o env.wasm (interrupt_test.go checks it).
(module (global (export "base") i32 (i32.const 1000)))
