// One variant of the local-path check of bench/remote.bench.mjs, in a fresh process: local ping-pong
// and local tells, as bench/actors.bench.mjs does them, either with `verdant/remote` never loaded
// (`plain`) or loaded and the system joined to the cluster, with a second node present (`joined`).
// argv: variant, server URL, rounds. Prints one JSON line: the median times of the timed rounds,
// and the median time V8 spent in GC during them.
import { PerformanceObserver, performance } from 'node:perf_hooks'
import { ActorSystem, receive } from '../../dist/index.js'

const [variant, url, roundsArg] = process.argv.slice(2)
const rounds = Number(roundsArg ?? 5)
const gc = globalThis.gc ?? (() => undefined)
const N = 1_000_000

const system = new ActorSystem({ name: 'bench', logLevel: 'off' })
let node
if (variant === 'joined') {
  const { joinCluster } = await import('../../dist/remote/index.js')
  node = await joinCluster(system, { servers: url, nodeId: `local-${process.pid}` })
  // The bench process is node `main` of the same cluster: wait until this node sees it.
  const deadline = Date.now() + 10_000
  while (!node.members().some((m) => m.id === 'main' && m.status === 'up')) {
    if (Date.now() > deadline) throw new Error('the second node was not seen within 10 s')
    await new Promise((r) => setTimeout(r, 20))
  }
} else if (variant !== 'plain') {
  throw new Error(`unknown variant ${variant}`)
}

async function pingPong() {
  let done
  const finished = new Promise((r) => (done = r))
  let a, b
  a = system.spawn(receive((n) => (n >= N ? done() : b.tell(n + 1))))
  b = system.spawn(receive((n) => (n >= N ? done() : a.tell(n + 1))))
  a.tell(0)
  await finished
  await Promise.all([system.stop(a), system.stop(b)])
}

async function tells() {
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

function median(xs) {
  const s = [...xs].sort((x, y) => x - y)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

let gcMs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration
}).observe({ entryTypes: ['gc'] })
/** GC entries are reported after the fact: a timer turn lets those of a timed run come in. */
const gcSettled = () => new Promise((r) => setTimeout(r, 5))

const times = { pingPong: [], tells: [] }
const gcTimes = { pingPong: [], tells: [] }
const cases = [
  ['pingPong', pingPong],
  ['tells', tells],
]
for (let r = 0; r < rounds + 1; r++) {
  for (const [name, fn] of r % 2 ? [...cases].reverse() : cases) {
    gc()
    await gcSettled()
    gcMs = 0
    const t0 = performance.now()
    await fn()
    const dt = performance.now() - t0
    await gcSettled()
    if (r > 0) {
      // round 0 warms up
      times[name].push(dt)
      gcTimes[name].push(gcMs)
    }
  }
}
if (node !== undefined) await node.leave()
await system.shutdown()
console.log(
  JSON.stringify({
    variant,
    remoteLoaded: node !== undefined,
    pingPong: median(times.pingPong),
    tells: median(times.tells),
    pingPongGc: median(gcTimes.pingPong),
    tellsGc: median(gcTimes.tells),
  }),
)
