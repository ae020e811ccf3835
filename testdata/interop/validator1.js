#!/usr/bin/env node
// UserLand's validator1 suite, driven with node's `xmlrpc` package (1.3.2,
// pinned in package.json; `npm ci` in this directory installs it).
//
// Usage: node validator1.js http://127.0.0.1:8088/
//
// Runs all eight validator1 methods with non-trivial inputs, checks every
// answer exactly, prints one line per check and exits non-zero on any
// mismatch. Run by `go test -run Validator1FromNode`.
//
// What makes node interesting: it wraps strings holding < or & in CDATA
// (splitting the section at any "]]>"), writes every integral number as
// <int> and every other as <double> (in JavaScript notation, so 1.25e-7 has
// an exponent), writes dateTimes in local time without an offset, and reads
// <i8> as a string.
'use strict'

const assert = require('node:assert')
const util = require('node:util')
const xmlrpc = require('xmlrpc')

const url = process.argv[2] || 'http://127.0.0.1:8088/'
const client = xmlrpc.createClient(url)
let failures = 0

// I8 sends a 64-bit integer as <i8>, which node's xmlrpc has no type for.
class I8 extends xmlrpc.CustomType {}
I8.prototype.tagName = 'i8'

function call (method, ...params) {
  return new Promise((resolve, reject) => {
    client.methodCall(method, params, (err, value) => (err ? reject(err) : resolve(value)))
  })
}

function show (v) {
  return util.inspect(v, { depth: 6, breakLength: Infinity, maxArrayLength: 8, maxStringLength: 120 })
}

async function check (name, method, params, want) {
  let got
  try {
    got = await call(method, ...params)
  } catch (err) {
    failures++
    console.log(`FAIL ${name}: ${err.faultCode !== undefined ? `fault ${err.faultCode} ${err.faultString}` : err.message}`)
    return
  }
  try {
    // Strict: types must match too (1 is not "1", an i8 comes back a string).
    assert.deepStrictEqual(got, want)
    console.log(`ok   ${name}: ${show(got)}`)
  } catch (e) {
    failures++
    console.log(`FAIL ${name}: got ${show(got)}, want ${show(want)}`)
  }
}

async function checkFault (name, code, method, params) {
  let got
  try {
    got = await call(method, ...params)
  } catch (err) {
    if (err.faultCode === undefined) {
      failures++
      console.log(`FAIL ${name}: ${err.message}, want fault ${code}`)
    } else if (err.faultCode !== code) {
      failures++
      console.log(`FAIL ${name}: fault ${err.faultCode} ${err.faultString}, want code ${code}`)
    } else {
      console.log(`ok   ${name}: fault ${err.faultCode} ${err.faultString}`)
    }
    return
  }
  failures++
  console.log(`FAIL ${name}: returned ${show(got)}, want fault ${code}`)
}

function entities (s) {
  const n = (c) => s.split(c).length - 1
  return {
    ctLeftAngleBrackets: n('<'),
    ctRightAngleBrackets: n('>'),
    ctAmpersands: n('&'),
    ctApostrophes: n("'"),
    ctQuotes: n('"')
  }
}

async function main () {
  // arrayOfStructsTest: the sum of every curly, other members ignored.
  const structs = []
  let sum = 0
  for (let i = 1; i <= 30; i++) {
    const s = { moe: i, larry: -3 * i, curly: i * i * 1000 - 400000, shemp: 'no & <way>' }
    sum += s.curly
    structs.push(s)
  }
  await check('arrayOfStructsTest', 'validator1.arrayOfStructsTest', [structs], sum)

  // countTheEntities: these strings hold < or &, so they go out as CDATA.
  const example = "<<<>>&''\"\"\""
  await check('countTheEntities example (CDATA)', 'validator1.countTheEntities', [example],
    { ctLeftAngleBrackets: 3, ctRightAngleBrackets: 2, ctAmpersands: 1, ctApostrophes: 2, ctQuotes: 3 })
  const markup = '<p class="x">Fish & Chips &amp; \'mushy\' <b>p\u00e9as \u263a</b></p>\r\nline two'
  await check('countTheEntities markup (CDATA)', 'validator1.countTheEntities', [markup], entities(markup))
  // One holding "]]>" goes out as two CDATA sections, split inside the "]]>".
  const closer = 'a <![CDATA[ b ]]> c & d'
  await check('countTheEntities with ]]> (split CDATA)', 'validator1.countTheEntities', [closer], entities(closer))

  // easyStructTest: moe + larry + curly.
  await check('easyStructTest', 'validator1.easyStructTest',
    [{ moe: 2000000000, larry: -17, curly: 123456 }], 2000000000 - 17 + 123456)

  // echoStructTest: every type node writes, CDATA strings included.
  const when = new Date(1998, 6, 17, 14, 8, 55) // local time, sent without an offset
  const echo = {
    substruct0: { moe: 1, larry: 2, curly: 3 },
    text: 'a < b && c > "d" \'e\'',
    plain: 'no markup here',
    unicode: '\u00fcber \u2603 \ud83d\ude00',
    empty: '',
    flag: true,
    off: false,
    ratio: 0.1,
    tiny: 1.25e-7,
    when,
    blob: Buffer.from([0, 1, 2, 253, 254, 255]),
    nothing: null,
    list: [1, 'two', 3.5, false, [], {}]
  }
  await check('echoStructTest', 'validator1.echoStructTest', [echo], echo)
  // An <i8> member (via a custom type) comes back as node reads <i8>: a string.
  await check('echoStructTest (i8 member)', 'validator1.echoStructTest',
    [{ big: new I8('9007199254740993'), small: 5 }], { big: '9007199254740993', small: 5 })

  // manyTypesTest: six params back as an array, types preserved.
  const blob = Buffer.from('\u0000\u00ffvalidator1\n', 'latin1')
  const stamp = new Date(2024, 1, 29, 23, 59, 58)
  await check('manyTypesTest', 'validator1.manyTypesTest',
    [-2147483648, true, 'Tom & Jerry <3', -1.25e-7, stamp, blob],
    [-2147483648, true, 'Tom & Jerry <3', -1.25e-7, stamp, blob])

  // moderateSizeArrayCheck: first + last of 100-200 strings.
  const states = ['Alabama', 'Alaska', 'Arizona', 'Arkansas', 'California', 'Colorado', 'Connecticut']
  const items = Array.from({ length: 123 }, (_, i) => states[i % states.length] + i)
  items[0] = 'Maine & <Vermont>'
  items[items.length - 1] = ' New Hampshire '
  await check('moderateSizeArrayCheck', 'validator1.moderateSizeArrayCheck', [items], 'Maine & <Vermont> New Hampshire ')

  // nestedStructTest: a calendar, summing the members of 2000-04-01.
  const calendar = {}
  for (let y = 1999; y <= 2001; y++) {
    calendar[y] = {}
    for (let m = 1; m <= 12; m++) {
      const mm = String(m).padStart(2, '0')
      calendar[y][mm] = {}
      for (let d = 1; d <= 28; d++) {
        calendar[y][mm][String(d).padStart(2, '0')] = { moe: y, larry: m, curly: d }
      }
    }
  }
  calendar['2000']['04']['01'] = { moe: 1000, larry: 200, curly: 30, noise: 'x' }
  await check('nestedStructTest', 'validator1.nestedStructTest', [calendar], 1230)

  // simpleStructReturnTest: n * 10, 100, 1000. Above 2^31 the server answers
  // <i8>, which node reads as a string.
  await check('simpleStructReturnTest', 'validator1.simpleStructReturnTest', [12345],
    { times10: 123450, times100: 1234500, times1000: 12345000 })
  await check('simpleStructReturnTest (i8 results as strings)', 'validator1.simpleStructReturnTest', [50000000],
    { times10: 500000000, times100: '5000000000', times1000: '50000000000' })

  // Faults: wrong argument types, unknown method.
  await checkFault('easyStructTest(string) fault', -32602, 'validator1.easyStructTest', ['not a struct'])
  await checkFault('easyStructTest(struct of strings) fault', -32602, 'validator1.easyStructTest',
    [{ moe: '1', larry: '2', curly: '3' }])
  await checkFault('unknown method fault', -32601, 'validator1.noSuchMethod', [1])
}

main().then(() => {
  if (failures) {
    console.log(`${failures} check(s) failed`)
    process.exit(1)
  }
  console.log('all validator1 checks passed')
}, (err) => {
  console.log(`FAIL ${err.stack || err}`)
  process.exit(1)
})
