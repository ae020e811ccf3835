;; An ABI v1 module one of whose methods has 16 KiB + 1 byte of help,
;; over the manifest limit: refused at load. The manifest's first 31
;; bytes of MessagePack are at offset 16; rpchost_describe writes the rest.
;; Built with: wat2wasm manifest_help.wat -o manifest_help.wasm
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "\82\a3abi\01\a7methods\91\82\a4name\a1h\a4help\da@\01")
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 1024)
  ;; Writes the help's 16385 bytes after the header, then returns the region.
  (func (export "rpchost_describe") (result i64)
    (memory.fill (i32.const 47) (i32.const 0x78) (i32.const 16385))
    i64.const 0x1000004020)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
