;; Imports the kv capability and speaks a future ABI version (99): with
;; the "kv" grant withheld the loader stops at the grant, and inspect
;; reports both problems.
;; Built with: wat2wasm kv_future.wat -o kv_future.wasm
(module
  (import "rpchost" "kv_get" (func (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "rpchost_abi_version") (result i32) i32.const 99)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 0)
  (func (export "rpchost_describe") (result i64) i64.const 0)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
