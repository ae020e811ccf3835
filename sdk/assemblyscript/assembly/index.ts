// The rpchost guest SDK for AssemblyScript: import what a procedure needs
// from here, and re-export the module's exports from ./exports in the
// entry file. README.md beside this directory shows a whole plugin.

export { Kind, Value, Fault, CodeParseError, CodeMethodNotFound, CodeInvalidParams, CodeInternalError, CodeApplicationError } from "./value";
export { Params } from "./params";
export { register, Handler } from "./registry";
export { log, kv, Store, KV, config, time, failure } from "./host";
