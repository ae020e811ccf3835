#!/usr/bin/env node
// dateTime fractions through rpchost with node's `xmlrpc` client, set to
// send what a JavaScript Date gives, 2026-11-25T01:02:03.456Z (UTC,
// hyphens, milliseconds). types.echo must return the same instant,
// milliseconds included; the response's dateTime has no offset, which node
// reads as local time, so run this with TZ=UTC.
//
// Usage: TZ=UTC node datetime.js http://127.0.0.1:8088/
// Run by `go test -run DateTimeFractionFromNode`.
'use strict'

const xmlrpc = require('xmlrpc')

const url = process.argv[2] || 'http://127.0.0.1:8088/'
xmlrpc.dateFormatter.setOpts({ colons: true, hyphens: true, local: false, ms: true })
const client = xmlrpc.createClient(url)

function call (method, ...params) {
  return new Promise((resolve, reject) => {
    client.methodCall(method, params, (err, value) => (err ? reject(err) : resolve(value)))
  })
}

async function main () {
  let failures = 0
  for (const sent of ['2026-11-25T01:02:03.456Z', '2026-11-25T01:02:03.000Z', '1999-12-31T23:59:59.999Z']) {
    const got = await call('types.echo', new Date(sent))
    const ok = got instanceof Date && got.getTime() === new Date(sent).getTime()
    console.log(`${ok ? 'ok  ' : 'FAIL'} types.echo(${sent}) = ${got instanceof Date ? got.toISOString() : got}`)
    if (!ok) failures++
  }
  process.exit(failures ? 1 : 0)
}

main().catch((err) => { console.error(err); process.exit(1) })
