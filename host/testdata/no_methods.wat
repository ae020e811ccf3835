;; A module without rpchost_abi_version that exports no function of
;; numbers: nothing to serve, refused at load.
;; Built with: wat2wasm no_methods.wat -o no_methods.wasm
(module
  (memory (export "memory") 1))
