;; A reactor whose _initialize never returns: loading it must end in a
;; rejection at limits.load_timeout. Built with: wat2wasm loop_init.wat -o loop_init.wasm
(module
  (func (export "_initialize") (loop $l (br $l)))
  (func (export "ok") (result i32) i32.const 1))
