;; An ABI v1 module whose rpchost_describe returns a region outside its memory: refused at load.
;; Built with: wat2wasm describe_outside.wat -o describe_outside.wasm
(module
  (memory (export "memory") 1)
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "rpchost_describe") (result i64) i64.const 0x7fff000000000010)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
