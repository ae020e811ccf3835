;; Claims ABI v1 (exports rpchost_abi_version) but rpchost_call has the wrong
;; type: refused at load with a message naming the export.
;; Built with: wat2wasm bad_sdk.wat -o bad_sdk.wasm
(module
  (memory (export "memory") 1)
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 0)
  (func (export "rpchost_describe") (result i64) i64.const 0)
  (func (export "rpchost_call") (param i32) (result i64) i64.const 0))
