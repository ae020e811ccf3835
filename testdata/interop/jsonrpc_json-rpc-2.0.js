#!/usr/bin/env node
// rpchost's JSON-RPC front end driven by json-rpc-2.0 (npm), a JSON-RPC
// 2.0 client other people wrote: calls, a fault, a batch, a notification,
// named params and integers beyond 2^53. The library leaves transport to
// its user; this one posts with fetch and reads integers too large for a
// JavaScript number as BigInt, as JSON-bigint clients do, so the test sees
// whether rpchost keeps all 64 bits.
//
// Usage: node jsonrpc_json-rpc-2.0.js http://127.0.0.1:8088/jsonrpc
// Run by `go test -run JSONRPCFromJSONRPC2`.
'use strict'

const { JSONRPCClient, JSONRPCErrorException } = require('json-rpc-2.0')

const url = process.argv[2] || 'http://127.0.0.1:8088/jsonrpc'

// BigInts are written as bare numbers, and integers of 16 digits or more
// are read as BigInt (our test data holds no such digits inside strings).
function stringify (v) {
  return JSON.stringify(v, (k, x) => (typeof x === 'bigint' ? `__big__${x}` : x)).replace(/"__big__(-?\d+)"/g, '$1')
}
function parse (text) {
  const marked = text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,\]}])/g, '$1"__big__$2"')
  return JSON.parse(marked, (k, x) => (typeof x === 'string' && x.startsWith('__big__') ? BigInt(x.slice(7)) : x))
}

const statuses = []
const client = new JSONRPCClient(async (body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: stringify(body) })
  statuses.push(res.status)
  if (res.status === 200) {
    client.receive(parse(await res.text()))
  } else if (res.status !== 204) {
    throw new Error(`HTTP ${res.status}: ${await res.text()}`)
  }
})

let failures = 0
function check (what, ok, got) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}: ${stringify(got)}`)
  if (!ok) failures++
}

async function fault (method, params) {
  try {
    return { result: await client.request(method, params) }
  } catch (err) {
    if (err instanceof JSONRPCErrorException) return { code: err.code, message: err.message }
    throw err
  }
}

async function main () {
  check('add(3, 4) = 7', (await client.request('add', [3, 4])) === 7, 7)
  const hw = await client.request('add', ['hello', 'world'])
  check('add("hello", "world") = "helloworld"', hw === 'helloworld', hw)
  let f = await fault('add', [1, 'x'])
  check('add(1, "x") is error -32602', f.code === -32602, f)
  f = await fault('types.fault', [42, 'the answer'])
  check('types.fault(42, ...) is error 42', f.code === 42, f)

  const named = await client.request('types.echo', { z: 1, a: [true, null], m: 'x' })
  check('named params arrive as one struct, in order: types.echo gives it back', stringify(named) === '{"z":1,"a":[true,null],"m":"x"}', named)

  const big = 9007199254740993n // 2^53 + 1: a double cannot hold it
  const echoed = await client.request('types.echo', [big])
  check('types.echo(2^53 + 1) keeps every digit', echoed === big, echoed)
  const sum = await client.request('add', [4611686018427387904n, 4611686018427387903n])
  check('add(2^62, 2^62 - 1) = 2^63 - 1', sum === 9223372036854775807n, sum)
  f = await fault('add', [9223372036854775808n, 1])
  check('an integer beyond 64 bits is error -32602', f.code === -32602, f)

  const responses = await client.requestAdvanced([
    { jsonrpc: '2.0', id: 1, method: 'add', params: [1, 2] },
    { jsonrpc: '2.0', id: 'two', method: 'add', params: [[1], [2]] },
    { jsonrpc: '2.0', method: 'add', params: [5, 5] },
    { jsonrpc: '2.0', id: 3, method: 'no.such', params: [] }
  ])
  const byId = new Map(responses.map((x) => [x.id, x]))
  check('a batch answers its 3 calls by id, not the notification', responses.length === 3 &&
    byId.get(1).result === 3 && JSON.stringify(byId.get('two').result) === '[1,2]' && byId.get(3).error.code === -32601, responses)

  statuses.length = 0
  client.notify('add', [1, 2])
  await new Promise((resolve) => setTimeout(resolve, 500))
  check('a notification is answered 204 with no body', statuses.length === 1 && statuses[0] === 204, statuses)

  process.exit(failures ? 1 : 0)
}

main().catch((err) => { console.error(err); process.exit(1) })
