// Actors: ping-pong between two actors (1,000,000 messages), one actor receiving 1,000,000 tells
// from a loop, and heap per idle actor, against a minimal hand-written actor, nact and comedy.
import { createRequire } from 'node:module'
import { performance } from 'node:perf_hooks'
import { ActorSystem, receive } from '../dist/index.js'
import { heapPerItem, workload } from './harness.mjs'

const require = createRequire(import.meta.url)
const nact = require('nact')
const comedy = require('comedy')

const N = 1_000_000

/** The floor: an array mailbox drained in a microtask. */
class RawActor {
  mailbox = []
  scheduled = false
  constructor(handler) {
    this.handler = handler
  }
  tell(msg) {
    this.mailbox.push(msg)
    if (!this.scheduled) {
      this.scheduled = true
      queueMicrotask(() => this.drain())
    }
  }
  drain() {
    const mb = this.mailbox
    for (let i = 0; i < mb.length; i++) this.handler(mb[i])
    mb.length = 0
    this.scheduled = false
  }
}

function rawPingPong() {
  return new Promise((resolve) => {
    const a = new RawActor((n) => (n >= N ? resolve() : b.tell(n + 1)))
    const b = new RawActor((n) => (n >= N ? resolve() : a.tell(n + 1)))
    a.tell(0)
  })
}

function rawTells() {
  return new Promise((resolve) => {
    let count = 0
    const a = new RawActor(() => {
      if (++count === N) resolve()
    })
    for (let i = 0; i < N; i++) a.tell(i)
  })
}

const system = new ActorSystem({ name: 'bench', logLevel: 'off' })

async function verdantPingPong() {
  let done
  const finished = new Promise((r) => (done = r))
  // The ball carries no ref: each player knows its peer, as in the raw case.
  let a, b
  a = system.spawn(receive((n) => (n >= N ? done() : b.tell(n + 1))))
  b = system.spawn(receive((n) => (n >= N ? done() : a.tell(n + 1))))
  a.tell(0)
  await finished
  await Promise.all([system.stop(a), system.stop(b)])
}

async function verdantTells() {
  let done
  const finished = new Promise((r) => (done = r))
  let count = 0
  const a = system.spawn(
    receive(() => {
      if (++count === N) done()
    }),
  )
  for (let i = 0; i < N; i++) a.tell(i)
  await finished
  await system.stop(a)
}

const nactSystem = nact.start()
let nactIds = 0
async function nactPingPong() {
  let done
  const finished = new Promise((r) => (done = r))
  let a, b
  a = nact.spawnStateless(nactSystem, (n) => (n >= N ? done() : nact.dispatch(b, n + 1)), `a${++nactIds}`)
  b = nact.spawnStateless(nactSystem, (n) => (n >= N ? done() : nact.dispatch(a, n + 1)), `b${nactIds}`)
  nact.dispatch(a, 0)
  await finished
  nact.stop(a)
  nact.stop(b)
}
async function nactTells() {
  let done
  const finished = new Promise((r) => (done = r))
  let count = 0
  const a = nact.spawnStateless(
    nactSystem,
    () => {
      if (++count === N) done()
    },
    `t${++nactIds}`,
  )
  for (let i = 0; i < N; i++) nact.dispatch(a, i)
  await finished
  nact.stop(a)
}

const comedySystem = comedy({ log: { level: 'error' } })
const comedyRoot = await comedySystem.rootActor()
let comedyDone
class ComedyPlayer {
  setPeer(peer) {
    this.peer = peer
  }
  ball(n) {
    if (n >= N) comedyDone()
    else this.peer.send('ball', n + 1)
  }
}
class ComedySink {
  count = 0
  item() {
    if (++this.count === N) comedyDone()
  }
}
async function comedyPingPong() {
  const finished = new Promise((r) => (comedyDone = r))
  const a = await comedyRoot.createChild(ComedyPlayer, { mode: 'in-memory' })
  const b = await comedyRoot.createChild(ComedyPlayer, { mode: 'in-memory' })
  await a.send('setPeer', b)
  await b.send('setPeer', a)
  await a.send('ball', 0)
  await finished
  await Promise.all([a.destroy(), b.destroy()])
}
async function comedyTells() {
  const finished = new Promise((r) => (comedyDone = r))
  const a = await comedyRoot.createChild(ComedySink, { mode: 'in-memory' })
  for (let i = 0; i < N; i++) void a.send('item', i)
  await finished
  await a.destroy()
}

const quick = process.env.BENCH_QUICK === '1'
const rounds = quick ? 3 : 5

await workload(
  'Actor ping-pong, 1,000,000 messages between two actors',
  [
    { name: 'raw: array mailbox + queueMicrotask drain', fn: rawPingPong, baseline: true },
    { name: 'verdant: two actors, receive()', fn: verdantPingPong },
    { name: 'comedy 2.1.7 (in-memory)', fn: comedyPingPong },
    { name: 'nact 7.6.2 (spawnStateless/dispatch)', fn: nactPingPong },
  ],
  { ops: N, rounds, warmup: 1 },
)

await workload(
  'One actor receiving 1,000,000 tells from a loop (until the last is handled)',
  [
    { name: 'raw: array mailbox + queueMicrotask drain', fn: rawTells, baseline: true },
    { name: 'verdant: receive()', fn: verdantTells },
    { name: 'comedy 2.1.7 (in-memory)', fn: comedyTells },
    { name: 'nact 7.6.2 (spawnStateless/dispatch)', fn: nactTells },
  ],
  { ops: N, rounds, warmup: 1 },
)

// Heap per idle actor: 100,000 actors kept referenced (comedy: 10,000, its destroy is quadratic).
const rows = []
async function memory(name, n, setup) {
  const samples = []
  const creates = []
  for (let r = 0; r < 3; r++) {
    samples.push(
      await heapPerItem(n, async (k) => {
        const t0 = performance.now()
        const release = await setup(k)
        creates.push(performance.now() - t0)
        return release
      }),
    )
  }
  samples.sort((a, b) => a - b)
  creates.sort((a, b) => a - b)
  rows.push(
    `| ${name} | ${n} | ${samples[1].toFixed(0)} | ${samples[0].toFixed(0)}–${samples[2].toFixed(0)} | ${creates[1].toFixed(0)} |`,
  )
}
const noop = () => undefined
await memory('raw: array mailbox + queueMicrotask drain', 100_000, async (n) => {
  const actors = []
  for (let i = 0; i < n; i++) actors.push(new RawActor(noop))
  return () => void actors.length
})
const sharedHandler = receive(noop)
await memory('verdant: receive() (shared handler)', 100_000, async (n) => {
  const sys = new ActorSystem({ logLevel: 'off' })
  const refs = []
  for (let i = 0; i < n; i++) refs.push(sys.spawn(sharedHandler))
  await new Promise((r) => setImmediate(r)) // every actor has started
  return () => sys.shutdown()
})
const { behavior, Actor } = await import('../dist/index.js')
const counter = behavior(() => {
  let count = 0
  return () => void count++
})
await memory('verdant: behavior() with state in its setup closure', 100_000, async (n) => {
  const sys = new ActorSystem({ logLevel: 'off' })
  const refs = []
  for (let i = 0; i < n; i++) refs.push(sys.spawn(counter))
  await new Promise((r) => setImmediate(r))
  return () => sys.shutdown()
})
class Counter extends Actor {
  count = 0
  receive() {
    this.count++
  }
}
await memory('verdant: class actor with one field', 100_000, async (n) => {
  const sys = new ActorSystem({ logLevel: 'off' })
  const refs = []
  for (let i = 0; i < n; i++) refs.push(sys.spawn(Counter))
  await new Promise((r) => setImmediate(r))
  return () => sys.shutdown()
})
await memory('nact 7.6.2 (named spawnStateless)', 100_000, async (n) => {
  const sys = nact.start()
  const refs = []
  for (let i = 0; i < n; i++) refs.push(nact.spawnStateless(sys, noop, `m${i}`))
  return () => nact.stop(sys)
})
await memory('comedy 2.1.7 (in-memory)', 10_000, async (n) => {
  const refs = []
  for (let i = 0; i < n; i++) refs.push(await comedyRoot.createChild(ComedySink, { mode: 'in-memory' }))
  return async () => {
    for (const r of refs) await r.destroy()
  }
})
console.log('### Heap per idle actor (V8 heapUsed after a full GC; median of 3)\n')
console.log('| case | actors | heap bytes/actor | min–max | create time (ms) |')
console.log('|---|---|---|---|---|')
for (const r of rows) console.log(r)

// A million idle actors in one process.
{
  globalThis.gc?.()
  const before = process.memoryUsage().heapUsed
  const sys = new ActorSystem({ logLevel: 'off' })
  const t0 = performance.now()
  const refs = []
  for (let i = 0; i < 1_000_000; i++) refs.push(sys.spawn(counter))
  await new Promise((r) => setImmediate(r))
  const created = performance.now() - t0
  globalThis.gc?.()
  const per = (process.memoryUsage().heapUsed - before) / 1_000_000
  const t1 = performance.now()
  const report = await sys.shutdown()
  console.log(
    `\n1,000,000 idle behavior() actors: ${per.toFixed(0)} heap bytes/actor, created and started in ${created.toFixed(0)} ms, shut down in ${(performance.now() - t1).toFixed(0)} ms (${report.stopped} stopped)\n`,
  )
}

await system.shutdown()
await comedySystem.destroy()
nact.stop(nactSystem)
