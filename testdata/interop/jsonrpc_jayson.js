#!/usr/bin/env node
// rpchost's JSON-RPC front end driven by jayson (npm), a JSON-RPC 2.0
// client other people wrote, in its 2.0 and its 1.0 dialect: positional
// and named params, a fault, an unknown method, a batch, a notification
// and a base64 value. Every answer is checked here; the exit status says
// whether all were right.
//
// Usage: node jsonrpc_jayson.js http://127.0.0.1:8088/jsonrpc
// Run by `go test -run JSONRPCFromJayson`.
'use strict'

const jayson = require('jayson')

const url = new URL(process.argv[2] || 'http://127.0.0.1:8088/jsonrpc')
const options = { hostname: url.hostname, port: url.port, path: url.pathname }
const client = jayson.client.http(options)
const client1 = jayson.client.http({ ...options, version: 1 })

let failures = 0
function check (what, ok, got) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${JSON.stringify(got)}`)
  if (!ok) failures++
}

// request resolves with the whole response object (result or error).
function request (c, method, params, id) {
  return new Promise((resolve, reject) => {
    const done = (err, response) => (err ? reject(err) : resolve(response))
    if (id === null) c.request(method, params, null, done) // a notification
    else c.request(method, params, done)
  })
}

function batch (requests) {
  return new Promise((resolve, reject) => {
    client.request(requests, (err, responses) => (err ? reject(err) : resolve(responses)))
  })
}

async function main () {
  let r = await request(client, 'add', [3, 4])
  check('add(3, 4) = 7', r.jsonrpc === '2.0' && r.result === 7, r)
  r = await request(client, 'add', ['hello', 'world'])
  check('add("hello", "world") = "helloworld"', r.result === 'helloworld', r)
  r = await request(client, 'add', [1, 'x'])
  check('add(1, "x") is error -32602', r.error && r.error.code === -32602 && r.result === undefined, r)
  r = await request(client, 'no.such', [])
  check('no.such() is error -32601', r.error && r.error.code === -32601, r)
  r = await request(client, 'types.keys', { moe: 1, larry: 2, curly: 3 })
  check('named params arrive as one struct, in order: types.keys = [moe, larry, curly]', JSON.stringify(r.result) === '["moe","larry","curly"]', r)
  r = await request(client, 'types.echo', [{ __base64__: 'aGVsbG8=' }])
  check('types.echo(base64 "hello") comes back tagged', r.result && r.result.__base64__ === 'aGVsbG8=', r)
  r = await request(client, 'system.methodSignature', ['add.add'])
  check('system.methodSignature("add.add") is an array', Array.isArray(r.result), r)

  const responses = await batch([
    client.request('add', [1, 2], undefined, false),
    client.request('add', ['a', 'b'], undefined, false),
    client.request('add', [1, 2], null, false), // a notification inside the batch
    client.request('no.such', [], undefined, false)
  ])
  check('a batch of 3 calls and a notification has 3 responses', Array.isArray(responses) && responses.length === 3, responses)
  const byId = new Map(responses.map((x) => [x.id, x]))
  const ids = responses.map((x) => x.id)
  check('batch: add(1, 2) = 3, add("a", "b") = "ab", no.such is -32601',
    byId.get(ids[0]).result === 3 && byId.get(ids[1]).result === 'ab' && byId.get(ids[2]).error.code === -32601, responses)

  r = await request(client, 'add', [1, 2], null)
  check('a notification gets no response', r === undefined, r)

  r = await request(client1, 'add', [3, 4])
  check('JSON-RPC 1.0: add(3, 4) = 7 with error null', r.result === 7 && r.error === null && r.jsonrpc === undefined, r)
  r = await request(client1, 'add', [1, 'x'])
  check('JSON-RPC 1.0: add(1, "x") is error -32602 with result null', r.result === null && r.error.code === -32602, r)

  process.exit(failures ? 1 : 0)
}

main().catch((err) => { console.error(err); process.exit(1) })
