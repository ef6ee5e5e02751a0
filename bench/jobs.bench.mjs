// The distributed executor (`connectExecutor` + `serveJobs`, verdant/remote) against raw JetStream
// doing the same user work, on a nats-server with JetStream the bench starts on 127.0.0.1 and stops
// at the end (its temp folder removed, every child process stopped):
//   J1 throughput: 20,000 tiny jobs `add(a, b)` (bench/jobs/tasks.mjs) submitted in one loop,
//      timed until every result is back. verdant: two worker processes, each `serveJobs` with a
//      ThreadPoolExecutor of 2 and concurrency 8. Raw: the JSON job published to a work-queue
//      stream (`js.publish`), two worker processes each pulling with
//      `consumer.consume({ max_messages: 8 })`, computing a + b inline, publishing the JSON result
//      to the submitter's subject and acking; the submitter counts results.
//   J2 scaling: 64 jobs of ~20 ms CPU (`spin(20)`) on one verdant worker process against two
//      (each a ThreadPoolExecutor of 1, concurrency 1).
//   J3 round trip, one job at a time: verdant `await submit(add, 1, 2)` against raw publish → pull
//      → result publish, with the workers of J1.
//
// BENCH_JOBS_PART=throughput|scaling|roundtrip (comma-separated; all by default). BENCH_QUICK=1
// for fewer rounds. Run with `node --expose-gc`.
import { fork } from 'node:child_process'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { connectExecutor } from '../dist/remote/index.js'
import { taskRef } from '../dist/worker.js'
import { machineLine } from './harness.mjs'
import { natsServerVersion, startNatsServer } from './remote/nats-server.mjs'

const gc = globalThis.gc ?? (() => undefined)
const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const versionOf = (pkg) =>
  JSON.parse(readFileSync(here(`../node_modules/${pkg}/package.json`), 'utf8')).version

const parts = new Set((process.env.BENCH_JOBS_PART ?? 'throughput,scaling,roundtrip').split(','))
const quick = process.env.BENCH_QUICK === '1'

const tasks = new URL('./jobs/tasks.mjs', import.meta.url)
const add = taskRef(tasks, 'add')
const spin = taskRef(tasks, 'spin')

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
/** The q-quantile of sorted samples (nearest rank). */
function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
}
const f1 = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
const f2 = (x) => x.toFixed(2)
const int = (x) => Math.round(x).toLocaleString('en')

console.log(machineLine())
console.log(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}`)
console.log(
  `nats-server ${natsServerVersion()} (JetStream), @nats-io/transport-node ${versionOf('@nats-io/transport-node')}, ` +
    `@nats-io/jetstream ${versionOf('@nats-io/jetstream')}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
)

if (natsServerVersion() === 'not installed') {
  console.log('nats-server is not on the PATH (nor NATS_SERVER_BIN): skipped\n')
} else {
  const server = await startNatsServer({ jetstream: true })
  const children = []
  try {
    if (parts.has('throughput') || parts.has('roundtrip')) await addParts(server.url, children)
    if (parts.has('scaling')) await scalingPart(server.url, children)
  } finally {
    await Promise.all(children.map((c) => c.stop()))
    await server.stop()
  }
}

/** A child process of bench/jobs/, driven over IPC; `stop()` ends it (SIGKILL after 5 s). */
function startChild(children, file, args) {
  const child = fork(here(file), args, {
    execArgv: ['--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const exited = new Promise((r) => child.once('exit', r))
  let next = 0
  const waiting = new Map()
  let ready
  const isReady = new Promise((resolve, reject) => {
    ready = resolve
    child.once('exit', (code) => reject(new Error(`${file} exited at start (${code})`)))
  })
  child.on('message', (m) => {
    if (m.ready !== undefined) ready()
    else {
      waiting.get(m.id)?.()
      waiting.delete(m.id)
    }
  })
  const cmd = (c) =>
    new Promise((resolve) => {
      const id = ++next
      waiting.set(id, resolve)
      child.send({ id, cmd: c })
    })
  let stopped
  const handle = {
    cmd,
    stop() {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          const force = setTimeout(() => child.kill('SIGKILL'), 5000)
          await Promise.race([cmd('stop'), exited])
          await exited
          clearTimeout(force)
        }
        process.removeListener('exit', killOnExit)
        const i = children.indexOf(handle)
        if (i >= 0) children.splice(i, 1)
      })()
      return stopped
    },
  }
  children.push(handle)
  return isReady.then(() => handle)
}

// ---- J1 and J3: add(a, b), verdant against raw JetStream ----

async function addParts(url, children) {
  const name = 'bench-add'
  const ex = await connectExecutor({ servers: url, name })
  const nc = await connect({ servers: url, name: 'bench-raw-submitter' })
  const jsm = await jetstreamManager(nc)
  await jsm.streams.add({
    name: 'RAWJOBS',
    subjects: ['rawjobs.work'],
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
  })
  await jsm.consumers.add('RAWJOBS', {
    durable_name: 'raw',
    ack_policy: AckPolicy.Explicit,
    ack_wait: 30_000 * 1e6,
    filter_subject: 'rawjobs.work',
  })
  const js = jetstream(nc)
  const workers = await Promise.all([
    startChild(children, './jobs/verdant-worker.mjs', [
      url,
      name,
      JSON.stringify({ maxWorkers: 2, concurrency: 8 }),
    ]),
    startChild(children, './jobs/verdant-worker.mjs', [
      url,
      name,
      JSON.stringify({ maxWorkers: 2, concurrency: 8 }),
    ]),
    startChild(children, './jobs/raw-worker.mjs', [url, 'RAWJOBS', 'raw', '8']),
    startChild(children, './jobs/raw-worker.mjs', [url, 'RAWJOBS', 'raw', '8']),
  ])
  // Raw results: one subscription, as the executor has one subject for its results.
  const rawTo = 'rawresults.main'
  const rawPending = new Map()
  let rawId = 0
  nc.subscribe(rawTo, {
    callback: (_err, msg) => {
      const r = JSON.parse(msg.string())
      const resolve = rawPending.get(r.id)
      rawPending.delete(r.id)
      resolve?.(r.v)
    },
  })
  await nc.flush()
  const rawSubmit = (a, b) =>
    new Promise((resolve, reject) => {
      const id = ++rawId
      rawPending.set(id, resolve)
      js.publish('rawjobs.work', JSON.stringify({ id, a: [a, b], to: rawTo })).catch(reject)
    })
  const gcAll = async () => {
    await Promise.all(workers.map((w) => w.cmd('gc')))
    gc()
  }
  const cases = [
    {
      name: 'raw JetStream: js.publish JSON, consume({ max_messages: 8 }), publish result + ack',
      baseline: true,
      submit: rawSubmit,
    },
    {
      name: 'verdant: connectExecutor().submit(add, a, b), serveJobs (thread pool of 2, concurrency 8)',
      submit: (a, b) => ex.submit(add, a, b),
    },
  ]
  try {
    for (const c of cases) if ((await c.submit(20, 22)) !== 42) throw new Error(`${c.name}: bad answer`)
    if (parts.has('throughput')) await throughputPart(cases, gcAll)
    if (parts.has('roundtrip')) await roundtripPart(cases, gcAll)
  } finally {
    await ex.shutdown()
    await nc.drain()
    await Promise.all(workers.map((w) => w.stop()))
  }
}

async function throughputPart(cases, gcAll) {
  const N = quick ? 5000 : 20_000
  const rounds = quick ? 2 : 3
  const warmup = 1
  for (const c of cases) c.rates = []
  for (let r = 0; r < warmup + rounds; r++) {
    for (const c of cases.map((_, i) => cases[(i + r) % cases.length])) {
      await gcAll()
      const submit = c.submit
      const t0 = performance.now()
      const all = new Array(N)
      for (let i = 0; i < N; i++) all[i] = submit(i, 1)
      const got = await Promise.all(all)
      const dt = performance.now() - t0
      let sum = 0
      for (const v of got) sum += v
      if (sum !== (N * (N - 1)) / 2 + N) throw new Error(`${c.name}: wrong sum ${sum}`)
      if (r >= warmup) c.rates.push(N / (dt / 1000))
    }
  }
  const base = cases.find((c) => c.baseline)
  const lines = [
    `### J1 throughput: ${N.toLocaleString('en')} add(a, b) jobs submitted in one loop, two worker processes (${rounds} rounds after ${warmup} warm-up, alternating)`,
    '',
    '| case | jobs/s (median) | min–max | ratio to raw (median of rounds) |',
    '|---|---|---|---|',
  ]
  for (const c of cases) {
    const ratio = median(c.rates.map((x, i) => x / base.rates[i]))
    lines.push(
      `| ${c.name}${c === base ? ' **(baseline)**' : ''} | ${int(median(c.rates))} | ${int(Math.min(...c.rates))}–${int(Math.max(...c.rates))} | ${f2(ratio)}× |`,
    )
  }
  console.log(lines.join('\n') + '\n')
}

async function roundtripPart(cases, gcAll) {
  const K = 500
  const warmupCalls = 200
  const rounds = quick ? 2 : 5
  for (const c of cases) {
    c.p50 = []
    c.p99 = []
  }
  const samples = new Float64Array(K)
  for (let r = 0; r < rounds; r++) {
    for (const c of cases.map((_, i) => cases[(i + r) % cases.length])) {
      await gcAll()
      const submit = c.submit
      for (let i = 0; i < warmupCalls; i++) await submit(i, 1)
      for (let i = 0; i < K; i++) {
        const t0 = performance.now()
        await submit(i, 1)
        samples[i] = performance.now() - t0
      }
      const sorted = [...samples].sort((a, b) => a - b)
      c.p50.push(quantile(sorted, 0.5) * 1000)
      c.p99.push(quantile(sorted, 0.99) * 1000)
    }
  }
  const base = cases.find((c) => c.baseline)
  const lines = [
    `### J3 round trip, one job at a time (${K} jobs after ${warmupCalls} warm-up, × ${rounds} rounds, alternating)`,
    '',
    '| case | p50 µs (median of rounds) | p99 µs (median of rounds) | p50 ratio | p99 ratio |',
    '|---|---|---|---|---|',
  ]
  for (const c of cases) {
    const r50 = median(c.p50.map((x, i) => x / base.p50[i]))
    const r99 = median(c.p99.map((x, i) => x / base.p99[i]))
    lines.push(
      `| ${c.name}${c === base ? ' **(baseline)**' : ''} | ${f1(median(c.p50))} | ${f1(median(c.p99))} | ${f2(r50)}× | ${f2(r99)}× |`,
    )
  }
  console.log(lines.join('\n') + '\n')
}

// ---- J2: scaling over worker processes ----

async function scalingPart(url, children) {
  const name = 'bench-spin'
  const N = 64
  const ms = 20
  const rounds = quick ? 1 : 3
  const ex = await connectExecutor({ servers: url, name })
  const times = { 1: [], 2: [] }
  const cpu = { 1: [], 2: [] }
  try {
    for (let r = 0; r < rounds; r++) {
      for (const n of r % 2 ? [2, 1] : [1, 2]) {
        const opts = JSON.stringify({ maxWorkers: 1, concurrency: 1 })
        const workers = await Promise.all(
          Array.from({ length: n }, () =>
            startChild(children, './jobs/verdant-worker.mjs', [url, name, opts]),
          ),
        )
        // Warm-up: every worker's pool thread loaded the task module.
        await Promise.all(Array.from({ length: 4 * n }, () => ex.submit(spin, 1)))
        gc()
        const c0 = process.cpuUsage()
        const t0 = performance.now()
        await Promise.all(Array.from({ length: N }, () => ex.submit(spin, ms)))
        const dt = performance.now() - t0
        const c = process.cpuUsage(c0)
        times[n].push(dt)
        cpu[n].push((c.user + c.system) / 1000 / dt)
        await Promise.all(workers.map((w) => w.stop()))
      }
    }
  } finally {
    await ex.shutdown()
  }
  const ideal = N * ms
  const speedups = times[1].map((t, i) => t / times[2][i])
  const lines = [
    `### J2 scaling: ${N} jobs of spin(${ms}) (ideal ${ideal} ms on one worker), ThreadPoolExecutor of 1, concurrency 1 per worker process (${rounds} rounds, alternating)`,
    '',
    '| workers | median (ms) | min–max | jobs/s | bench process CPU (share of one core) |',
    '|---|---|---|---|---|',
  ]
  for (const n of [1, 2]) {
    lines.push(
      `| ${n} | ${f1(median(times[n]))} | ${f1(Math.min(...times[n]))}–${f1(Math.max(...times[n]))} | ${f1(N / (median(times[n]) / 1000))} | ${(median(cpu[n]) * 100).toFixed(0)} % |`,
    )
  }
  lines.push(
    '',
    `Speed-up, one worker → two: ${f2(median(speedups))}× (per round: ${speedups.map(f2).join(', ')})`,
  )
  console.log(lines.join('\n') + '\n')
}
