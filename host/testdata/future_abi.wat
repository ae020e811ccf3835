;; Speaks a future ABI version (99): refused at load, naming both versions.
;; Built with: wat2wasm future_abi.wat -o future_abi.wasm
(module
  (memory (export "memory") 1)
  (func (export "rpchost_abi_version") (result i32) i32.const 99)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 0)
  (func (export "rpchost_describe") (result i64) i64.const 0)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
