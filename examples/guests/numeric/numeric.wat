;; numeric.wat: an rpchost procedure module written by hand, with no SDK and
;; no imports. rpchost turns every exported function whose params and
;; results are i32, i64, f32 or f64 into a method (served as numeric.<name>):
;; XML-RPC ints map to i32/i64, doubles to f32/f64.
;;
;; Build: go run ./examples/build (it runs
;;   wat2wasm --debug-names -o plugins/numeric.wasm examples/guests/numeric/numeric.wat
;; --debug-names keeps the function names, so trap stacks name the function).
(module
  ;; add(a, b) = a + b, wrapping around on 64-bit overflow like C.
  (func $add (export "add") (param $a i64) (param $b i64) (result i64)
    (i64.add (local.get $a) (local.get $b)))

  ;; triple(n) = 3n.
  (func $triple (export "triple") (param $n i64) (result i64)
    (i64.mul (local.get $n) (i64.const 3)))

  ;; fmul(a, b) = a * b.
  (func $fmul (export "fmul") (param $a f64) (param $b f64) (result f64)
    (f64.mul (local.get $a) (local.get $b)))

  ;; divmod(a, b) = [a / b, a % b], truncated toward zero: two results,
  ;; which the host returns as an array. b = 0 (or -2^31 / -1) traps, which
  ;; the host reports as a fault.
  (func $divmod (export "divmod") (param $a i32) (param $b i32) (result i32 i32)
    (i32.div_s (local.get $a) (local.get $b))
    (i32.rem_s (local.get $a) (local.get $b)))

  ;; half(x) = x / 2 in single precision.
  (func $half (export "half") (param $x f32) (result f32)
    (f32.mul (local.get $x) (f32.const 0.5)))

  ;; One page of memory, exported as hosts expect; nothing uses it.
  (memory (export "memory") 1))
