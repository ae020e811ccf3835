;; count(n) loops n times and returns n: a call that takes as long as the
;; caller asks, for tests of time limits that must let a call finish.
;; Built with: wat2wasm count.wat -o count.wasm (fixtures_test.go checks it).
(module
  (func (export "count") (param $n i64) (result i64)
    (local $i i64)
    (block $done
      (loop $again
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $again)))
    (local.get $i)))
