;; A procedure with no SDK and no imports: served as <file stem>.triple.
;; host_test.go compiles it with `wat2wasm testdata/triple.wat -o <dir>/tripler.wasm`.
(module
  (func (export "triple") (param i64) (result i64)
    local.get 0
    i64.const 3
    i64.mul))
