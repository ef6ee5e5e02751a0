// Heap per live sleeping task: 100,000 tasks parked in a long sleep, V8 heapUsed after a full GC.
import { Effect, Fiber } from 'effect'
import { joinAll, sleep, spawn } from '../dist/index.js'
import { heapPerItem } from './harness.mjs'

const N = 100_000
const LONG = 3_600_000
const rows = []
const measure = async (name, setup) => {
  const samples = []
  for (let r = 0; r < 5; r++) samples.push(await heapPerItem(N, setup))
  samples.sort((a, b) => a - b)
  rows.push(`| ${name} | ${samples[2].toFixed(0)} | ${samples[0].toFixed(0)}–${samples[4].toFixed(0)} |`)
}

// Every case runs one shared function per task, so closures made per task are the library's own.
let timers = []
const rawSleeper = async () => {
  await new Promise((resolve) => timers.push(setTimeout(resolve, LONG)))
}
function* genSleeper() {
  yield* sleep(LONG)
}
const asyncSleeper = async (ctx) => {
  await ctx.sleep(LONG)
}
// Floors: what V8 alone keeps for a parked body, before any task bookkeeping.
let resolvers = []
const parkedOnOwnPromise = async () => {
  await new Promise((resolve) => resolvers.push(resolve))
}
function* parkedGenerator() {
  yield
}

await measure('raw: async fn awaiting a setTimeout promise', async (n) => {
  timers = []
  const ps = []
  for (let i = 0; i < n; i++) ps.push(rawSleeper())
  return () => {
    for (const t of timers) clearTimeout(t)
    timers = []
  }
})
await measure(
  'floor: async fn parked on its own pending promise, resolver kept (no timer, no task)',
  async (n) => {
    resolvers = []
    const ps = []
    for (let i = 0; i < n; i++) ps.push(parkedOnOwnPromise())
    return () => {
      for (const r of resolvers) r()
      resolvers = []
    }
  },
)
await measure('floor: a started generator parked at a bare yield (no op, no task)', async (n) => {
  let gens = []
  for (let i = 0; i < n; i++) {
    const g = parkedGenerator()
    g.next()
    gens.push(g)
  }
  return () => {
    gens = []
  }
})
await measure('verdant: generator task in yield* sleep(ms)', async (n) => {
  const ts = []
  for (let i = 0; i < n; i++) ts.push(spawn(genSleeper))
  await new Promise((r) => setImmediate(r))
  return async () => {
    for (const t of ts) t.cancel()
    await joinAll(ts)
  }
})
await measure('verdant: async task in await ctx.sleep(ms)', async (n) => {
  const ts = []
  for (let i = 0; i < n; i++) ts.push(spawn(asyncSleeper))
  await new Promise((r) => setImmediate(r))
  return async () => {
    for (const t of ts) t.cancel()
    await joinAll(ts)
  }
})
await measure('effect 4: fiber in Effect.sleep', async (n) => {
  const fibers = await Effect.runPromise(
    Effect.forEach(Array.from({ length: n }), () => Effect.forkDetach(Effect.sleep(LONG))),
  )
  await new Promise((r) => setImmediate(r))
  return () => Effect.runPromise(Effect.forEach(fibers, (f) => Fiber.interrupt(f), { discard: true }))
})

const text = [
  `### M1 heap per live sleeping task (${N.toLocaleString('en')} tasks, bytes, median of 5)`,
  '',
  '| case | bytes per task | min–max |',
  '|---|---|---|',
  ...rows,
  '',
].join('\n')
console.log(text)
