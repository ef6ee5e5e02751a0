// The observer (verdant/observer): what it costs the program.
//   O1 snapshot: one snapshot (default limit 100, oldest tasks / deepest mailboxes first) of a
//      program with 100,000 live tasks (parked in a long sleep) and 100,000 idle actors in one
//      system, main-thread time. Floor: the same two walks with nothing recorded (every task and
//      every actor visited once, in a plain loop over the same structures): what any snapshot
//      that looks at every task and actor pays.
//   O2 with a page open: spawn + join of 100,000 tasks and 1,000,000-message actor ping-pong,
//      with no observer, and with an observer and one client on /events (a snapshot every
//      second), alternating.
// BENCH_OBSERVER_PART=snapshot|page runs one part; BENCH_OBSERVER_INTERVAL=<ms> sets the page's
// snapshot period (default 1000, the observer's own; 50 is its smallest, the worst case).
// Run with `node --expose-gc`.
import { performance } from 'node:perf_hooks'
import { ActorSystem, receive, sleep, spawn } from '../dist/index.js'
import { startObserver } from '../dist/observer/index.js'
import { machineLine, median } from './harness.mjs'

const gc = globalThis.gc ?? (() => undefined)
const quick = process.env.BENCH_QUICK === '1'

console.log(machineLine())

const parts = new Set((process.env.BENCH_OBSERVER_PART ?? 'snapshot,page').split(','))
const intervalMs = Number(process.env.BENCH_OBSERVER_INTERVAL ?? 1000)

// ---- O1: one snapshot of 100,000 tasks and 100,000 actors ----
if (parts.has('snapshot')) {
  const N = 100_000
  // BENCH_OBSERVER_ACTORS=1000000 for the million-actor case.
  const A = Number(process.env.BENCH_OBSERVER_ACTORS ?? N)
  const tasks = Array.from({ length: N }, (_, i) => spawn((ctx) => ctx.sleep(3_600_000), { name: `t${i}` }))
  const system = new ActorSystem({ name: 'big', logLevel: 'off' })
  const idle = receive(() => undefined)
  for (let i = 0; i < A; i++) system.spawn(idle)
  await sleep(50)
  const observer = await startObserver()
  const walkFloor = () => {
    // The same structures walked with nothing kept: the floor of any full snapshot.
    let n = 0
    const stack = tasks.slice()
    while (stack.length > 0) {
      const t = stack.pop()
      n += t.id & 1
      const c = t._children
      if (c !== undefined && c.size > 0) for (const x of c.toArray()) stack.push(x)
    }
    const cells = [...system._guardian._children.values()]
    while (cells.length > 0) {
      const c = cells.pop()
      n += c._flags & 1
      if (c._children !== null) for (const x of c._children.values()) cells.push(x)
    }
    return n
  }
  const rounds = quick ? 5 : 15
  const take = { snapshot: [], children: [], restarts: [], floor: [] }
  for (let r = 0; r < rounds + 2; r++) {
    gc()
    let t0 = performance.now()
    const s = observer.snapshot()
    const t1 = performance.now() - t0
    if (s.tasks.rows.length !== 100 || s.actorSystems[0].actors !== A) throw new Error('bad snapshot')
    t0 = performance.now()
    observer.snapshot({ tasks: 'children' })
    const t2 = performance.now() - t0
    t0 = performance.now()
    observer.snapshot({ actors: 'restarts' })
    const t3 = performance.now() - t0
    t0 = performance.now()
    walkFloor()
    const t4 = performance.now() - t0
    if (r >= 2) {
      take.snapshot.push(t1)
      take.children.push(t2)
      take.restarts.push(t3)
      take.floor.push(t4)
    }
  }
  console.log(
    `### O1: one snapshot of ${N.toLocaleString('en')} live tasks and ${A.toLocaleString('en')} actors (${rounds} rounds)\n`,
  )
  console.log('| what | median (ms) | min–max |')
  console.log('|---|---|---|')
  const row = (name, xs) =>
    console.log(
      `| ${name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} |`,
    )
  row('floor: both walks, nothing kept', take.floor)
  row('snapshot (oldest tasks, deepest mailboxes)', take.snapshot)
  row('snapshot (most children)', take.children)
  row('snapshot (most restarts)', take.restarts)
  console.log(`\nsnapshot / floor: ${(median(take.snapshot) / median(take.floor)).toFixed(2)}×\n`)
  await observer.close()
  for (const t of tasks) t.cancel()
  await Promise.allSettled(tasks)
  await system.shutdown()
}

// ---- O2: spawn + join and ping-pong, observer off and on with a page open ----
if (parts.has('page')) {
  const N_TASKS = 100_000
  const N_MSGS = quick ? 200_000 : 1_000_000
  const system = new ActorSystem({ name: 'bench', logLevel: 'off' })
  const spawnJoin = async () => {
    const ts = new Array(N_TASKS)
    for (let i = 0; i < N_TASKS; i++) ts[i] = spawn(async () => i)
    for (const t of ts) await t
  }
  const pingPong = async () => {
    let done
    const finished = new Promise((r) => (done = r))
    let a, b
    a = system.spawn(receive((n) => (n >= N_MSGS ? done() : b.tell(n + 1))))
    b = system.spawn(receive((n) => (n >= N_MSGS ? done() : a.tell(n + 1))))
    a.tell(0)
    await finished
    await Promise.all([system.stop(a), system.stop(b)])
  }
  /** An observer with one page open on it: a client reading its event stream. */
  const openPage = async () => {
    const observer = await startObserver({ intervalMs })
    const abort = new AbortController()
    const res = await fetch(new URL('/events', observer.url), { signal: abort.signal })
    const reader = res.body.getReader()
    const state = { events: 0 }
    const reading = (async () => {
      const text = new TextDecoder()
      try {
        for (;;) {
          const { done, value } = await reader.read()
          if (done) break
          state.events += text.decode(value).split('\n\n').length - 1
        }
      } catch {
        // aborted at the end
      }
    })()
    await new Promise((r) => setTimeout(r, 20))
    return {
      state,
      async close() {
        abort.abort()
        await reading
        await observer.close()
      },
    }
  }
  const rounds = quick ? 3 : 7
  for (const [title, fn, ops] of [
    [`spawn + join of ${N_TASKS.toLocaleString('en')} tasks`, spawnJoin, N_TASKS],
    [`actor ping-pong, ${N_MSGS.toLocaleString('en')} messages`, pingPong, N_MSGS],
  ]) {
    const off = []
    const on = []
    let events = 0
    for (let r = 0; r < rounds + 1; r++) {
      // Alternating, each round both: the order flips every round.
      for (const mode of r % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
        const page = mode === 'on' ? await openPage() : undefined
        gc()
        const t0 = performance.now()
        await fn()
        const dt = performance.now() - t0
        if (page !== undefined) {
          events += page.state.events
          await page.close()
        }
        if (r >= 1) (mode === 'off' ? off : on).push(dt)
      }
    }
    const ratios = on.map((t, i) => t / off[i])
    console.log(`### O2: ${title}, no observer against an observer with a page open (${rounds} rounds)\n`)
    console.log('| case | median (ms) | min–max | rate |')
    console.log('|---|---|---|---|')
    for (const [name, xs] of [
      ['no observer **(baseline)**', off],
      [`observer, one page open (a snapshot every ${intervalMs} ms)`, on],
    ]) {
      const rate = ((ops / median(xs)) * 1000) / 1e6
      console.log(
        `| ${name} | ${median(xs).toFixed(1)} | ${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} | ${rate.toFixed(2)} M/s |`,
      )
    }
    console.log(
      `\nwith a page / without: ${median(ratios).toFixed(3)}× (median of per-round ratios); snapshots the pages got: ${events}\n`,
    )
  }
  await system.shutdown()
}
