// The other process of bench/remote.bench.mjs: one ActorSystem joined to the cluster as node
// `peer`, one raw NATS connection and one Moleculer broker, all on the nats-server the bench
// started, each answering asks and taking tells the same way (JSON-parse, a handler, an answer),
// driven by its parent over IPC. argv: the server URL.
import { createRequire } from 'node:module'
import { connect } from '@nats-io/transport-node'
import { ActorSystem, receive } from '../../dist/index.js'
import { joinCluster } from '../../dist/remote/index.js'

const require = createRequire(import.meta.url)
const { ServiceBroker } = require('moleculer')

const [url] = process.argv.slice(2)
const gc = globalThis.gc ?? (() => undefined)

// ---- the one handler every tell case calls ----
let kind = ''
let target = 0
let count = 0
let sum = 0
function handle(m) {
  sum += m.n
  if (++count === target) process.send({ done: kind, count, sum })
}

// ---- verdant ----
const system = new ActorSystem({ name: 'bench', logLevel: 'off' })
const node = await joinCluster(system, { servers: url, nodeId: 'peer' })
system.spawn(
  receive((m) => m.replyTo.tell({ type: 'echoed', n: m.n, text: m.text })),
  { name: 'echo' },
)
system.spawn(receive(handle), { name: 'sink' })

// ---- raw NATS (the same client verdant uses) ----
const nc = await connect({ servers: url, name: 'bench-raw-peer' })
nc.subscribe('bench.raw.echo', {
  callback: (_err, msg) => {
    const m = JSON.parse(msg.string())
    msg.respond(JSON.stringify({ type: 'echoed', n: m.n, text: m.text }))
  },
})
nc.subscribe('bench.raw.sink', { callback: (_err, msg) => handle(JSON.parse(msg.string())) })
await nc.flush()

// ---- Moleculer over NATS ----
const broker = new ServiceBroker({
  nodeID: 'mol-peer',
  namespace: 'bench',
  transporter: { type: 'NATS', options: { url } },
  logger: false,
})
broker.createService({
  name: 'echo',
  actions: {
    echo(ctx) {
      const p = ctx.params
      return { type: 'echoed', n: p.n, text: p.text }
    },
  },
})
broker.createService({
  name: 'sink',
  events: {
    'bench.item'(ctx) {
      handle(ctx.params)
    },
  },
})
await broker.start()

async function command(m) {
  switch (m.cmd) {
    case 'arm': // the next `n` tells of case `kind`
      kind = m.kind
      target = m.n
      count = 0
      sum = 0
      gc()
      return {}
    case 'count':
      return { count, sum }
    case 'gc':
      gc()
      return {}
    case 'stop':
      await broker.stop()
      await node.leave()
      await system.shutdown()
      await nc.drain()
      setImmediate(() => process.disconnect())
      return {}
    default:
      throw new Error(`unknown command ${m.cmd}`)
  }
}

process.on('message', (m) => {
  command(m).then(
    (r) => process.send({ id: m.id, ...r }),
    (err) => process.send({ id: m.id, error: String(err?.stack ?? err) }),
  )
})
process.send({ ready: true })
