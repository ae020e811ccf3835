;; Uses kv_write and kv_get_many without an SDK, to test it: a batch of puts, deletes and adds
;; is applied in order and kept only if the call succeeds, a malformed batch
;; applies nothing, and a refused entry names itself.
;; Built with: wat2wasm kvwrite.wat -o kvwrite.wasm
(module
  (import "rpchost" "kv_write" (func $write (param i32 i32) (result i32)))
  (import "rpchost" "kv_get" (func $get (param i32 i32) (result i32)))
  (import "rpchost" "kv_get_many" (func $getmany (param i32 i32) (result i32)))
  (import "rpchost" "result_read" (func $read (param i32)))
  (memory (export "memory") 1)
  ;; A batch at 0 (42 bytes): put "a" = "12", put "b" = "3", delete "a",
  ;; put "c" = "456".
  (data (i32.const 0)
    "\00\01\00\00\00a\02\00\00\0012"
    "\00\01\00\00\00b\01\00\00\003"
    "\01\01\00\00\00a"
    "\00\01\00\00\00c\03\00\00\00456")
  ;; Keys for kv_get at 64: "a", "b", "c".
  (data (i32.const 64) "abc")
  ;; A malformed batch at 80 (15 bytes): a good put of "d", then an op 7.
  (data (i32.const 80) "\00\01\00\00\00d\01\00\00\00x\07\00\00\00")
  ;; A batch at 128 (20 bytes) whose second entry puts an empty key.
  (data (i32.const 128) "\00\01\00\00\00e\01\00\00\00y\00\00\00\00\00\00\00\00\00")

  (func (export "write") (result i32)
    (call $write (i32.const 0) (i32.const 42)))
  (func (export "write_then_crash") (result i32)
    (drop (call $write (i32.const 0) (i32.const 42)))
    unreachable)
  ;; The batch cut short in its last value.
  (func (export "write_cut") (result i32)
    (call $write (i32.const 0) (i32.const 40)))
  (func (export "write_malformed") (result i32)
    (call $write (i32.const 80) (i32.const 15)))
  (func (export "write_empty_key") (result i32)
    (call $write (i32.const 128) (i32.const 20)))
  (func (export "write_nothing") (result i32)
    (call $write (i32.const 0) (i32.const 0)))
  (func (export "write_outside") (result i32)
    (call $write (i32.const 65000) (i32.const 1000)))
  ;; The length of a key's value, or -1 when it is not stored.
  (func (export "get_a") (result i32) (call $get (i32.const 64) (i32.const 1)))
  (func (export "get_b") (result i32) (call $get (i32.const 65) (i32.const 1)))
  (func (export "get_c") (result i32) (call $get (i32.const 66) (i32.const 1)))
  (func (export "get_d") (result i32) (call $get (i32.const 85) (i32.const 1)))
  ;; A write set read back in the same call.
  (func (export "write_then_get_c") (result i32)
    (drop (call $write (i32.const 0) (i32.const 42)))
    (call $get (i32.const 66) (i32.const 1)))
;; kv_get_many of "a", "b", "c" (request at 160): the answer's length,
  ;; 4 + 5 + 7 = 16 after write.
  (data (i32.const 160) "\01\00\00\00a\01\00\00\00b\01\00\00\00c")
  (func (export "get_many_abc") (result i32)
    (call $getmany (i32.const 160) (i32.const 15)))
  ;; The same request cut in its last key.
  (func (export "get_many_cut") (result i32)
    (call $getmany (i32.const 160) (i32.const 14)))
  ;; Bytes 9-12 of the answer after a write in the same call: c's value length.
  (func (export "write_then_get_many") (result i32)
    (drop (call $write (i32.const 0) (i32.const 42)))
    (drop (call $getmany (i32.const 160) (i32.const 15)))
    (call $read (i32.const 256))
    (i32.load (i32.const 265)))
  (func (export "get_e") (result i32) (call $get (i32.const 133) (i32.const 1)))
;; Adds (op 2, an 8-byte little-endian delta): at 300, add 4 then 5 to
  ;; "f" (28 bytes); at 330, add -18 to "f" (14 bytes); at 350, an add whose
  ;; delta is cut (8 bytes); at 370, put "h" = "x" then add 1 to "h" (25
  ;; bytes), refused: "x" is not a decimal integer.
  (data (i32.const 300)
    "\02\01\00\00\00f\04\00\00\00\00\00\00\00"
    "\02\01\00\00\00f\05\00\00\00\00\00\00\00")
  (data (i32.const 330) "\02\01\00\00\00f\ee\ff\ff\ff\ff\ff\ff\ff")
  (data (i32.const 350) "\02\01\00\00\00g\05\00")
  (data (i32.const 370)
    "\00\01\00\00\00h\01\00\00\00x"
    "\02\01\00\00\00h\01\00\00\00\00\00\00\00")
  (data (i32.const 400) "fh")
  (func (export "add_f") (result i32) (call $write (i32.const 300) (i32.const 28)))
  (func (export "sub_f") (result i32) (call $write (i32.const 330) (i32.const 14)))
  (func (export "add_cut") (result i32) (call $write (i32.const 350) (i32.const 8)))
  (func (export "add_to_text") (result i32) (call $write (i32.const 370) (i32.const 25)))
  (func (export "get_f") (result i32) (call $get (i32.const 400) (i32.const 1)))
  (func (export "get_h") (result i32) (call $get (i32.const 401) (i32.const 1)))
)
