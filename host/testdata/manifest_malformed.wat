;; An ABI v1 module whose manifest is an int, not a struct: refused at load.
;; The manifest is 1 bytes of MessagePack at offset 16.
;; Built with: wat2wasm manifest_malformed.wat -o manifest_malformed.wasm
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "\07")
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "rpchost_describe") (result i64) i64.const 0x1000000001)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
