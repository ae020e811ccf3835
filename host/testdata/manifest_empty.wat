;; An ABI v1 module whose manifest lists no methods: refused at load.
;; The manifest is 15 bytes of MessagePack at offset 16.
;; Built with: wat2wasm manifest_empty.wat -o manifest_empty.wasm
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "\82\a3abi\01\a7methods\90")
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 1024)
  (func (export "rpchost_describe") (result i64) i64.const 0x100000000f)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
