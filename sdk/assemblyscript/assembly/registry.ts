// The methods a module serves (register), its manifest (rpchost_describe)
// and the dispatch of a call (rpchost_call).

import { failure, resetFailure } from "./host";
import { Reader, Writer } from "./msgpack";
import { Params } from "./params";
import { CodeApplicationError, CodeInternalError, CodeMethodNotFound, Fault, Value } from "./value";

/** A procedure: it reads its params and returns a result Value or a Fault. */
export type Handler = (p: Params) => Value;

class Method {
  constructor(
    public name: string,
    public handler: Handler,
    public help: string,
    public signatures: string[][],
  ) {}
}

const methods = new Array<Method>();

/**
 * Serves handler as <plugin>.<name>. help is what system.methodHelp says;
 * each signature lists XML-RPC type names, the result's first
 * (["int", "int", "int"]). Call it from the module's top-level code: what
 * is registered in a call is gone after the call.
 */
export function register(name: string, handler: Handler, help: string = "", signatures: string[][] = []): void {
  methods.push(new Method(name, handler, help, signatures));
}

/** The Manifest: {"abi": 1, "methods": [{"name", "help", "signatures"}, ...]}. */
export function manifest(): Writer {
  let w = new Writer(1024);
  w.mapHeader(2);
  w.str("abi");
  w.int(1);
  w.str("methods");
  w.arrayHeader(methods.length);
  for (let i = 0; i < methods.length; i++) {
    let m = unchecked(methods[i]);
    w.mapHeader(3);
    w.str("name");
    w.str(m.name);
    w.str("help");
    w.str(m.help);
    w.str("signatures");
    w.arrayHeader(m.signatures.length);
    for (let j = 0; j < m.signatures.length; j++) {
      let sig = unchecked(m.signatures[j]);
      w.arrayHeader(sig.length);
      for (let k = 0; k < sig.length; k++) w.str(unchecked(sig[k]));
    }
  }
  return w;
}

function faultResult(code: i32, message: string): Writer {
  let w = new Writer(16 + message.length * 3);
  w.arrayHeader(3);
  w.int(1);
  w.int(code);
  w.str(message);
  return w;
}

/** Runs the Call of len bytes at ptr and returns the Result. It never traps on bad input: that is a fault. */
export function dispatch(ptr: usize, len: usize): Writer {
  let r = new Reader(ptr, len);
  let name: string | null = null;
  let values = new Array<Value>();
  if (r.arrayHeader() != 2 && r.err == null) r.fail("a Call is not an array of 2");
  if (r.err == null) name = r.str();
  if (r.err == null) {
    let n = r.arrayHeader();
    // Every param takes a byte at least: a longer count is a lie.
    if (r.err == null && <u64>n > <u64>r.remaining) r.fail("truncated MessagePack");
    for (let i: i64 = 0; i < n && r.err == null; i++) {
      let v = r.value(0);
      if (v != null) values.push(v);
    }
  }
  if (r.err == null && r.remaining != 0) r.fail("bytes after the end of the Call");
  if (r.err != null) return faultResult(CodeInternalError, "guest cannot read the call: " + r.err!);

  let m: Method | null = null;
  for (let i = 0; i < methods.length; i++) {
    if (unchecked(methods[i]).name == name!) {
      m = unchecked(methods[i]);
      break;
    }
  }
  if (m == null) return faultResult(CodeMethodNotFound, "method \"" + name! + "\" not found");

  resetFailure();
  let p = new Params(m.name, values);
  let result = m.handler(p);
  if (p.err != null) return faultResult(p.fault().code, p.err!);
  let failed = failure();
  if (failed != null) return faultResult(CodeApplicationError, "rpchost: " + failed);
  if (result instanceof Fault) {
    let f = changetype<Fault>(result);
    return faultResult(f.code, f.message);
  }
  let w = new Writer(256);
  w.arrayHeader(2);
  w.int(0);
  w.value(result);
  if (w.err != null) return faultResult(CodeInternalError, m.name + ": result: " + w.err!);
  return w;
}
