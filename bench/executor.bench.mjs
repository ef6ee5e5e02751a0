// Executors against raw worker_threads / child_process and the worker-pool libraries, in one run.
// W3a: 100,000 tiny jobs (a + b) submitted at once on 2 workers.
// W3b: round-trip latency, one job at a time (p50 / p99 in µs, median of rounds; BENCH_EXECUTOR_PART=latency
// runs only this, BENCH_LATENCY_ROUNDS / BENCH_LATENCY_CALLS size it).
// W3c: the same with every thread pinned to one CPU (`taskset -c 0`, BENCH_EXECUTOR_PART=pinned), which
// takes the OS's placement of threads out of the figures and leaves each library's own cost.
// W4: 64 jobs of ~20 ms CPU on 1 and 2 workers.
// W6: ProcessPoolExecutor throughput and latency against a raw fork IPC pool.
import { execFileSync, fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { Worker } from 'node:worker_threads'
import { Piscina } from 'piscina'
import { FixedThreadPool } from 'poolifier'
import { Tinypool } from 'tinypool'
import workerpool from 'workerpool'
import { ProcessPoolExecutor, taskRef, ThreadPoolExecutor } from 'verdant'
import { workload } from './harness.mjs'

const here = (p) => new URL(p, import.meta.url)
const add = taskRef(here('./workers/tasks.mjs'), 'add')
const burn = taskRef(here('./workers/tasks.mjs'), 'burn')
const only = process.env.BENCH_EXECUTOR_PART ?? 'all'
const out = []

/** A pool of raw workers: `pipelined` sends every job at once, otherwise one in flight per worker. */
class RawPool {
  constructor(n, pipelined, spawn) {
    this.pipelined = pipelined
    this.next = 0
    this.id = 0
    this.pending = new Map()
    this.queue = []
    this.workers = Array.from({ length: n }, () => {
      const w = spawn()
      w.busy = false
      w.on('message', (m) => {
        const resolve = this.pending.get(m[0])
        this.pending.delete(m[0])
        resolve(m[1])
        w.busy = false
        if (!this.pipelined && this.queue.length > 0) this.#send(w, this.queue.shift())
      })
      return w
    })
  }
  #send(w, job) {
    w.busy = true
    if (w.postMessage) w.postMessage(job)
    else w.send(job)
  }
  run(a, b) {
    const id = ++this.id
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      const job = [id, a, b]
      if (this.pipelined) {
        this.#send(this.workers[this.next++ % this.workers.length], job)
        return
      }
      const free = this.workers.find((w) => !w.busy)
      if (free) this.#send(free, job)
      else this.queue.push(job)
    })
  }
  async close() {
    await Promise.all(this.workers.map((w) => (w.terminate ? w.terminate() : w.kill())))
  }
}

const rawThreads = (n, pipelined) =>
  new RawPool(n, pipelined, () => new Worker(here('./workers/raw-add.mjs')))
const rawChildren = (n, pipelined) =>
  new RawPool(n, pipelined, () =>
    fork(fileURLToPath(here('./workers/raw-child.mjs')), [], { serialization: 'advanced' }),
  )

/** Every library as `{ name, run(a, b), burn(n), close() }` on `n` workers. */
function pools(n) {
  const verdant = new ThreadPoolExecutor({ maxWorkers: n, minWorkers: n })
  const piscina = new Piscina({
    filename: fileURLToPath(here('./workers/piscina-add.mjs')),
    minThreads: n,
    maxThreads: n,
  })
  const tiny = new Tinypool({
    filename: fileURLToPath(here('./workers/piscina-add.mjs')),
    minThreads: n,
    maxThreads: n,
  })
  const wp = workerpool.pool(fileURLToPath(here('./workers/workerpool-add.mjs')), {
    minWorkers: n,
    maxWorkers: n,
    workerType: 'thread',
  })
  const poolifier = new FixedThreadPool(n, fileURLToPath(here('./workers/poolifier-add.mjs')))
  const rawPiped = rawThreads(n, true)
  const rawOne = rawThreads(n, false)
  return [
    {
      name: 'raw postMessage pool (pipelined)',
      run: (a, b) => rawPiped.run(a, b),
      close: () => rawPiped.close(),
    },
    {
      name: 'raw postMessage pool (1 in flight/worker)',
      run: (a, b) => rawOne.run(a, b),
      close: () => rawOne.close(),
    },
    {
      name: 'verdant ThreadPoolExecutor',
      run: (a, b) => verdant.submit(add, a, b),
      burn: (i) => verdant.submit(burn, i),
      close: () => verdant.shutdown(),
    },
    {
      name: 'piscina 5.3.2',
      run: (a, b) => piscina.run({ a, b }),
      burn: (i) => piscina.run({ n: i }, { name: 'burn' }),
      close: () => piscina.destroy(),
    },
    {
      name: 'poolifier 5.3.2',
      run: (a, b) => poolifier.execute({ a, b }, 'add'),
      burn: (i) => poolifier.execute({ n: i }, 'burn'),
      close: () => poolifier.destroy(),
    },
    { name: 'tinypool 2.2.0', run: (a, b) => tiny.run({ a, b }), close: () => tiny.destroy() },
    { name: 'workerpool 10.0.3', run: (a, b) => wp.exec('add', [a, b]), close: () => wp.terminate() },
  ]
}

/**
 * Closes every pool, giving each 5 s: poolifier's destroy() never settles when every thread shares
 * one CPU (W3c). A pool that does not close is named, and the run ends once its output is out,
 * since that pool's threads would keep the process alive.
 */
let stragglers = 0
async function closeAll(libs) {
  await Promise.all(
    libs.map(async (lib) => {
      let timer
      const late = new Promise((resolve) => {
        timer = setTimeout(() => resolve(true), 5000)
      })
      const timedOut = await Promise.race([lib.close().then(() => false), late])
      clearTimeout(timer)
      if (timedOut) {
        stragglers++
        console.error(`${lib.name} did not close within 5 s`)
      }
    }),
  )
}

async function warm(libs) {
  for (const lib of libs) await Promise.all(Array.from({ length: 200 }, (_, i) => lib.run(i, 1)))
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s[s.length >> 1]
}

if (only === 'all' || only === 'throughput' || only === 'latency') {
  const libs = pools(2)
  await warm(libs)
  if (only !== 'latency') await throughput(libs)
  await latency(libs)
  await closeAll(libs)
}

if ((only === 'all' || only === 'pinned') && process.env.BENCH_PINNED === undefined) {
  // A round trip between threads on two CPUs of a VM can cost ten times one on a shared CPU, and
  // which one a thread gets is the OS's choice: pinned, every library pays the same wake-ups.
  let taskset = true
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' })
  } catch {
    taskset = false
  }
  if (taskset) {
    const text = execFileSync(
      'taskset',
      ['-c', '0', process.execPath, '--expose-gc', fileURLToPath(import.meta.url)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, BENCH_EXECUTOR_PART: 'latency', BENCH_PINNED: '1' },
      },
    )
    process.stdout.write(text)
    out.push(text)
  } else {
    console.log('W3c skipped: taskset is not installed\n')
  }
}

async function throughput(libs) {
  const N = 100_000
  const cases = libs.map((lib) => ({
    name: lib.name,
    baseline: lib.name.includes('pipelined'),
    fn: async () => {
      const ps = new Array(N)
      for (let i = 0; i < N; i++) ps[i] = lib.run(i, 1)
      await Promise.all(ps)
    },
  }))
  out.push(
    await workload('W3a: 100,000 tiny jobs (a + b) submitted at once, 2 workers', cases, {
      rounds: 3,
      warmup: 1,
      ops: N,
    }),
  )
}

async function latency(libs) {
  // Round-trip times swing from run to run here: many short rounds, each lib in turn, medians.
  const rounds = Number(process.env.BENCH_LATENCY_ROUNDS ?? 31)
  const calls = Number(process.env.BENCH_LATENCY_CALLS ?? 1000)
  const p50s = new Map(libs.map((l) => [l, []]))
  const p99s = new Map(libs.map((l) => [l, []]))
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < libs.length; k++) {
      const lib = libs[(k + r) % libs.length]
      const samples = new Float64Array(calls)
      for (let i = 0; i < calls; i++) {
        const t0 = performance.now()
        await lib.run(i, 1)
        samples[i] = (performance.now() - t0) * 1000
      }
      samples.sort()
      p50s.get(lib).push(quantile(samples, 0.5))
      p99s.get(lib).push(quantile(samples, 0.99))
    }
  }
  const baseLib = libs.find((l) => l.name.includes('1 in flight'))
  const lines = [
    `### ${process.env.BENCH_PINNED === undefined ? 'W3b' : 'W3c'}: round-trip latency, one job at a time (${String(calls)} calls × ${String(rounds)} rounds, 2 workers${process.env.BENCH_PINNED === undefined ? '' : ', every thread on CPU 0'})`,
    '',
    '| case | p50 µs (median of rounds) | p99 µs (median of rounds) | p50 ratio | p99 ratio |',
    '|---|---|---|---|---|',
  ]
  for (const lib of libs) {
    const p50r = median(p50s.get(lib).map((v, i) => v / p50s.get(baseLib)[i]))
    const p99r = median(p99s.get(lib).map((v, i) => v / p99s.get(baseLib)[i]))
    lines.push(
      `| ${lib.name}${lib === baseLib ? ' **(baseline)**' : ''} | ${median(p50s.get(lib)).toFixed(1)} | ${median(p99s.get(lib)).toFixed(1)} | ${p50r.toFixed(2)}× | ${p99r.toFixed(2)}× |`,
    )
  }
  const text = lines.join('\n') + '\n'
  console.log(text)
  out.push(text)
}

if (only === 'all' || only === 'cpu') {
  // Calibrate the loop to ~20 ms on this machine.
  const { burn: burnHere } = await import('./workers/tasks.mjs')
  let iterations = 1_000_000
  for (;;) {
    const t0 = performance.now()
    burnHere(iterations)
    const dt = performance.now() - t0
    if (dt > 5) {
      iterations = Math.round((iterations * 20) / dt)
      break
    }
    iterations *= 2
  }
  for (const n of [1, 2]) {
    const all = pools(n)
    const libs = all.filter((l) => l.burn !== undefined)
    await closeAll(all.filter((l) => l.burn === undefined))
    await warm(libs)
    const cases = libs.map((lib) => ({
      name: lib.name,
      baseline: lib.name.includes('1 in flight'),
      fn: () => Promise.all(Array.from({ length: 64 }, () => lib.burn(iterations))),
    }))
    out.push(
      await workload(`W4: 64 jobs × ~20 ms CPU on ${String(n)} worker${n > 1 ? 's' : ''}`, cases, {
        rounds: 3,
        warmup: 1,
      }),
    )
    await closeAll(libs)
  }
}

if (only === 'all' || only === 'process') {
  const verdant = new ProcessPoolExecutor({ maxWorkers: 2, minWorkers: 2 })
  const raw = rawChildren(2, true)
  const libs = [
    {
      name: 'raw fork IPC pool (pipelined, advanced serialization)',
      run: (a, b) => raw.run(a, b),
      close: () => raw.close(),
    },
    {
      name: 'verdant ProcessPoolExecutor',
      run: (a, b) => verdant.submit(add, a, b),
      close: () => verdant.shutdown(),
    },
  ]
  await warm(libs)
  const N = 20_000
  out.push(
    await workload(
      'W6a: 20,000 tiny jobs submitted at once, 2 child processes',
      libs.map((lib, i) => ({
        name: lib.name,
        baseline: i === 0,
        fn: () => Promise.all(Array.from({ length: N }, (_, k) => lib.run(k, 1))),
      })),
      { rounds: 3, warmup: 1, ops: N },
    ),
  )
  const lines = [
    '### W6b: process round-trip latency, one job at a time (2000 calls × 5 rounds)',
    '',
    '| case | p50 µs | p99 µs |',
    '|---|---|---|',
  ]
  const p50s = libs.map(() => [])
  const p99s = libs.map(() => [])
  for (let r = 0; r < 5; r++) {
    for (let k = 0; k < libs.length; k++) {
      const i = (k + r) % libs.length
      const samples = new Float64Array(2000)
      for (let j = 0; j < samples.length; j++) {
        const t0 = performance.now()
        await libs[i].run(j, 1)
        samples[j] = (performance.now() - t0) * 1000
      }
      samples.sort()
      p50s[i].push(quantile(samples, 0.5))
      p99s[i].push(quantile(samples, 0.99))
    }
  }
  libs.forEach((lib, i) =>
    lines.push(`| ${lib.name} | ${median(p50s[i]).toFixed(1)} | ${median(p99s[i]).toFixed(1)} |`),
  )
  const text = lines.join('\n') + '\n'
  console.log(text)
  out.push(text)
  // The raw children hold their IPC channels open: without this the run never ends.
  await closeAll(libs)
}

if (stragglers > 0) process.exit(0)

export default out
