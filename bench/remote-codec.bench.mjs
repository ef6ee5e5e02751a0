// The wire codec of verdant/remote against raw JSON: encode + decode of a typical actor message
// (a nested object holding a Date, a Map and an actor ref), bytes included on both sides.
//
// The baseline is what the issue names: JSON.stringify + JSON.parse of the message's plain
// equivalent (the Date as its ISO string, the Map as an object, the ref as its plain wire object),
// with TextEncoder/TextDecoder for the bytes. The goal is verdant's json1 at most 2x that.
// v8.serialize is shown for reference only: it is not a wire format (not forward-compatible across
// Node versions, drops class prototypes, unsafe on untrusted bytes).
import { Buffer } from 'node:buffer'
import os from 'node:os'
import v8 from 'node:v8'
import { jsonCodec, TypeRegistry } from '../dist/remote/codec.js'
import { machineLine, workload } from './harness.mjs'

const N = 1_000 // distinct messages, so no case encodes one object over and over
const ROUNDS = 50 // passes over them per timed run: 50,000 round trips

/** Stands in for a remote actor ref: the node recognises it and sends `{node, path, uid}`. */
class Ref {
  constructor(node, path, uid) {
    this.node = node
    this.path = path
    this.uid = uid
  }
}
const refs = {
  encodeRef: (v) => (v instanceof Ref ? { node: v.node, path: v.path, uid: v.uid } : undefined),
  decodeRef: (w) => new Ref(w.node, w.path, w.uid),
}

function message(i) {
  return {
    type: 'order.placed',
    id: `ord-${i}`,
    at: new Date(1_700_000_000_000 + i * 1000),
    customer: { id: 4211 + i, name: 'Ada Lovelace', email: 'ada@example.com', tags: ['vip', 'eu'] },
    items: [
      { sku: 'A-100', qty: 2, price: 19.99 },
      { sku: 'B-220', qty: 1, price: 5.5 },
      { sku: 'C-310', qty: 3 + (i % 4), price: 1.25 },
    ],
    totals: { net: 49.23, tax: 9.35, currency: 'EUR' },
    meta: new Map([
      ['source', 'web'],
      ['campaign', 'spring'],
      ['attempt', 1 + (i % 3)],
    ]),
    replyTo: new Ref('node-7', `/user/orders/worker-${i % 8}`, 1_000_000 + i),
  }
}

function plainOf(m) {
  return {
    ...m,
    at: m.at.toISOString(),
    meta: Object.fromEntries(m.meta),
    replyTo: { node: m.replyTo.node, path: m.replyTo.path, uid: m.replyTo.uid },
  }
}

const messages = Array.from({ length: N }, (_, i) => message(i))
const plain = messages.map(plainOf)
const codec = jsonCodec({ types: new TypeRegistry() })
const te = new TextEncoder()
const td = new TextDecoder()

// Checked once, so a broken codec cannot post a fast time.
const back = codec.decode(codec.encode(messages[5], refs), refs)
if (!(back.at instanceof Date) || !(back.meta instanceof Map) || !(back.replyTo instanceof Ref)) {
  throw new Error('the codec did not round-trip the bench message')
}

const jsonBytes = plain.map((m) => te.encode(JSON.stringify(m)))
const codecBytes = messages.map((m) => codec.encode(m, refs))
const v8Bytes = messages.map((m) => v8.serialize(plainOf(m)))
const avg = (bs) => (bs.reduce((n, b) => n + b.length, 0) / bs.length).toFixed(0)

let sink = 0
function loop(fn) {
  return () => {
    for (let r = 0; r < ROUNDS; r++) for (let i = 0; i < N; i++) sink += fn(i) === undefined ? 0 : 1
  }
}

console.log(machineLine())
console.log(
  `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}\n`,
)
console.log(
  `Message size: json1 ${avg(codecBytes)} B, plain JSON ${avg(jsonBytes)} B, v8.serialize ${avg(v8Bytes)} B\n`,
)

const OPS = N * ROUNDS
await workload(
  `C1 encode + decode, ${OPS.toLocaleString('en')} messages (Date, Map and ref in a nested object)`,
  [
    {
      name: 'raw: JSON.stringify + TextEncoder, TextDecoder + JSON.parse of the plain equivalent',
      baseline: true,
      fn: loop((i) => JSON.parse(td.decode(te.encode(JSON.stringify(plain[i]))))),
    },
    {
      // json1 writes its bytes with Buffer.from, faster than TextEncoder: this row says how much of
      // the ratio above that is.
      name: 'raw: as the baseline, with Buffer.from / TextDecoder for the bytes',
      fn: loop((i) => JSON.parse(td.decode(Buffer.from(JSON.stringify(plain[i]), 'utf8')))),
    },
    {
      name: 'verdant: jsonCodec() encode + decode',
      fn: loop((i) => codec.decode(codec.encode(messages[i], refs), refs)),
    },
    {
      name: 'reference: v8.serialize + v8.deserialize of the plain equivalent',
      fn: loop((i) => v8.deserialize(v8.serialize(plain[i]))),
    },
  ],
  { ops: OPS, rounds: 9, warmup: 3 },
)

await workload(
  `C2 encode only, ${OPS.toLocaleString('en')} messages`,
  [
    {
      name: 'raw: JSON.stringify + TextEncoder (plain equivalent)',
      baseline: true,
      fn: loop((i) => te.encode(JSON.stringify(plain[i]))),
    },
    {
      name: 'raw: JSON.stringify + Buffer.from (plain equivalent)',
      fn: loop((i) => Buffer.from(JSON.stringify(plain[i]), 'utf8')),
    },
    { name: 'verdant: jsonCodec().encode', fn: loop((i) => codec.encode(messages[i], refs)) },
  ],
  { ops: OPS, rounds: 9, warmup: 3 },
)

await workload(
  `C3 decode only, ${OPS.toLocaleString('en')} messages`,
  [
    {
      name: 'raw: TextDecoder + JSON.parse (plain equivalent)',
      baseline: true,
      fn: loop((i) => JSON.parse(td.decode(jsonBytes[i]))),
    },
    { name: 'verdant: jsonCodec().decode', fn: loop((i) => codec.decode(codecBytes[i], refs)) },
  ],
  { ops: OPS, rounds: 9, warmup: 3 },
)

if (sink === 0) console.log('(nothing ran)')
