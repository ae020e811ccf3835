;; An SDK (ABI v1) plugin whose one method's help is markup that would run
;; in a browser if the page wrote it unescaped: a script, and an image whose
;; onerror handler sets document.title and window.pwned, then an element
;; closing the help's <pre>. The page's tests (host/page_test.go,
;; page_e2e_test.go in headless Chromium) check that none of it runs and
;; that it is shown as text. rpchost_call is never called by them.
;; The manifest is abi.AppendManifest's msgpack, 202 bytes at offset 16.
;; Built with: wat2wasm hostile_help.wat -o hostile_help.wasm
(module
  (memory (export "memory") 1)
  (data (i32.const 16) "\82\a3abi\01\a7methods\91\83\a4name\a5steal\a4help\d9\94<script>document.title=\22pwned\22;window.pwned=1</script><img src=x onerror=\22document.title='pwned';window.pwned=2\22></pre><b id=\22injected\22>injected</b>\aasignatures\91\91\a6string")
  (func (export "rpchost_abi_version") (result i32) i32.const 1)
  (func (export "rpchost_alloc") (param i32) (result i32) i32.const 1024)
  ;; (16 << 32) | 202: where the manifest is, and its length.
  (func (export "rpchost_describe") (result i64) i64.const 0x10000000ca)
  (func (export "rpchost_call") (param i32 i32) (result i64) i64.const 0))
