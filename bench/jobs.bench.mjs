// The distributed executor (`connectExecutor` + `serveJobs`, verdant/remote) against raw JetStream
// and BullMQ doing the same user work, on a nats-server with JetStream and a redis-server the bench
// starts on 127.0.0.1 and stops at the end (their temp folders removed, every child process stopped):
//   J1 throughput: 20,000 tiny jobs `add(a, b)` (bench/jobs/tasks.mjs) submitted in one loop,
//      timed until every result is back. verdant: two worker processes, each `serveJobs` with a
//      ThreadPoolExecutor of 2 and concurrency 8. Raw: the JSON job published to a work-queue
//      stream (`js.publish`), two worker processes each pulling with
//      `consumer.consume({ max_messages: 8 })`, computing a + b inline, publishing the JSON result
//      to the submitter's subject and acking; the submitter counts results. BullMQ: `queue.add` per
//      job (removeOnComplete), two worker processes each a `Worker` with concurrency 8 computing
//      a + b inline and returning it; the submitter takes every result from the `completed` events
//      of one QueueEvents (their `returnvalue`). Also BullMQ submitting with `queue.addBulk` in
//      chunks of 500, which the other cases have no counterpart of (J1 only).
//   J2 scaling: 64 jobs of ~20 ms CPU (`spin(20)`) on one verdant worker process against two
//      (each a ThreadPoolExecutor of 1, concurrency 1).
//   J3 round trip, one job at a time: verdant `await submit(add, 1, 2)` against raw publish → pull
//      → result publish and BullMQ add → Worker → `completed` event, with the workers of J1.
//
// BENCH_JOBS_PART=throughput|scaling|roundtrip (comma-separated; all by default).
// BENCH_JOBS_CASES=raw,verdant,bullmq (a comma-separated subset; all by default; J2 is verdant's
// alone). BENCH_QUICK=1 for fewer rounds. Run with `node --expose-gc`.
import { existsSync, readFileSync } from 'node:fs'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { driveChild } from './child-driver.mjs'
import { machineLine, median, quantile } from './harness.mjs'
import { redisServerVersion, startRedisServer } from './jobs/redis-server.mjs'
import { natsServerVersion, startNatsServer } from './remote/nats-server.mjs'

const gc = globalThis.gc ?? (() => undefined)
const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const versionOf = (pkg, from = '..') => {
  // bullmq may carry an ioredis of its own under its node_modules.
  const nested = here(`${from}/node_modules/${pkg}/package.json`)
  const file = existsSync(nested) ? nested : here(`../node_modules/${pkg}/package.json`)
  return JSON.parse(readFileSync(file, 'utf8')).version
}

const parts = new Set((process.env.BENCH_JOBS_PART ?? 'throughput,scaling,roundtrip').split(','))
const allCases = ['raw', 'verdant', 'bullmq']
const wanted = new Set(
  (process.env.BENCH_JOBS_CASES ?? allCases.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== ''),
)
for (const c of wanted) {
  if (!allCases.includes(c))
    throw new Error(`BENCH_JOBS_CASES: unknown case ${c} (known: ${allCases.join(', ')})`)
}
const quick = process.env.BENCH_QUICK === '1'

const f1 = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
const f2 = (x) => x.toFixed(2)
const int = (x) => Math.round(x).toLocaleString('en')

const natsVersion = natsServerVersion()
const redisVersion = redisServerVersion()
console.log(machineLine())
console.log(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}`)
console.log(
  `nats-server ${natsVersion} (JetStream), @nats-io/transport-node ${versionOf('@nats-io/transport-node')}, ` +
    `@nats-io/jetstream ${versionOf('@nats-io/jetstream')}; redis-server ${redisVersion}, ` +
    `bullmq ${versionOf('bullmq')}, ioredis ${versionOf('ioredis', '../node_modules/bullmq')}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
)
console.log(`cases: ${[...wanted].join(', ')}\n`)

if (natsVersion === 'not installed' && (wanted.has('raw') || wanted.has('verdant'))) {
  console.log('nats-server is not on the PATH (nor NATS_SERVER_BIN): the raw and verdant cases skipped\n')
  wanted.delete('raw')
  wanted.delete('verdant')
}
if (redisVersion === 'not installed' && wanted.has('bullmq')) {
  console.log(
    'redis-server is not on the PATH (nor REDIS_SERVER_BIN): the BullMQ column skipped (apt-get install -y redis-server)\n',
  )
  wanted.delete('bullmq')
}

// Ctrl-C or a `timeout` would end the bench without 'exit', whose handlers stop the servers and
// the children and remove the temp folders.
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => process.exit(128 + os.constants.signals[signal]))

if (wanted.size > 0) {
  const children = []
  let nats
  let redis
  try {
    if (wanted.has('raw') || wanted.has('verdant')) nats = await startNatsServer({ jetstream: true })
    if (wanted.has('bullmq')) redis = await startRedisServer()
    if (parts.has('throughput') || parts.has('roundtrip')) await addParts(nats?.url, redis, children)
    if (parts.has('scaling')) {
      if (wanted.has('verdant')) await scalingPart(nats.url, children)
      else console.log('J2 scaling is verdant alone, not among BENCH_JOBS_CASES: skipped\n')
    }
  } finally {
    await Promise.all(children.map((c) => c.stop()))
    await nats?.stop()
    await redis?.stop()
  }
}

/** verdant's imports, loaded only when its case runs: dist/ need not be built for the others. */
async function verdant() {
  const [remote, worker] = await Promise.all([import('../dist/remote/index.js'), import('../dist/worker.js')])
  const tasks = new URL('./jobs/tasks.mjs', import.meta.url)
  return {
    connectExecutor: remote.connectExecutor,
    add: worker.taskRef(tasks, 'add'),
    spin: worker.taskRef(tasks, 'spin'),
  }
}

/** A child process of bench/jobs/, driven over IPC; `stop()` ends it and takes it off `children`. */
async function startChild(children, file, args) {
  const driven = await driveChild(here(file), args)
  const handle = {
    cmd: driven.cmd,
    async stop() {
      await driven.stop()
      const i = children.indexOf(handle)
      if (i >= 0) children.splice(i, 1)
    },
  }
  children.push(handle)
  return handle
}

// ---- J1 and J3: add(a, b), verdant against raw JetStream and BullMQ ----

async function addParts(natsUrl, redis, children) {
  const cases = []
  const workers = []
  const closers = []
  try {
    // Started side by side, so that every case's workers idle through every other case's rounds.
    for (const c of allCases) {
      if (!wanted.has(c)) continue
      const set = await { raw: rawCases, verdant: verdantCases, bullmq: bullmqCases }[c](
        c === 'bullmq' ? redis : natsUrl,
        children,
      )
      cases.push(...set.cases)
      workers.push(...set.workers)
      closers.push(set.close)
    }
    const gcAll = async () => {
      await Promise.all(workers.map((w) => w.cmd('gc')))
      gc()
    }
    for (const c of cases) if ((await c.submit(20, 22)) !== 42) throw new Error(`${c.name}: bad answer`)
    const on = (part) => cases.filter((c) => c.parts === undefined || c.parts.includes(part))
    if (parts.has('throughput')) await throughputPart(on('throughput'), gcAll)
    if (parts.has('roundtrip')) await roundtripPart(on('roundtrip'), gcAll)
  } finally {
    for (const close of closers) await close()
    await Promise.all(workers.map((w) => w.stop()))
  }
}

async function rawCases(url, children) {
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
  return {
    cases: [
      {
        key: 'raw',
        name: 'raw JetStream: js.publish JSON, consume({ max_messages: 8 }), publish result + ack',
        baseline: true,
        submit: rawSubmit,
      },
    ],
    workers,
    close: () => nc.drain(),
  }
}

async function verdantCases(url, children) {
  const { connectExecutor, add } = await verdant()
  const name = 'bench-add'
  const ex = await connectExecutor({ servers: url, name })
  const opts = JSON.stringify({ maxWorkers: 2, concurrency: 8 })
  const workers = await Promise.all([
    startChild(children, './jobs/verdant-worker.mjs', [url, name, opts]),
    startChild(children, './jobs/verdant-worker.mjs', [url, name, opts]),
  ])
  return {
    cases: [
      {
        key: 'verdant',
        name: 'verdant: connectExecutor().submit(add, a, b), serveJobs (thread pool of 2, concurrency 8)',
        submit: (a, b) => ex.submit(add, a, b),
      },
    ],
    workers,
    close: () => ex.shutdown(),
  }
}

async function bullmqCases(redis, children) {
  const { Queue, QueueEvents } = await import('bullmq')
  const name = 'bench-add'
  const connection = { host: redis.host, port: redis.port, maxRetriesPerRequest: null }
  const queueOpts = {
    connection,
    // The events stream is trimmed to ~maxLen on every add: at the default 10,000 a burst of 20,000
    // jobs (added, waiting, active, completed: four events each) trims `completed` events before the
    // QueueEvents reader has them, and their results are lost.
    streams: { events: { maxLen: 200_000 } },
    defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
  }
  let queue = new Queue(name, queueOpts)
  await queue.waitUntilReady()
  // From the start of the stream, not '$': no event is missed while its first XREAD is on its way.
  const events = new QueueEvents(name, { connection, lastEventId: '0-0' })
  await events.waitUntilReady()
  // Job ids are Redis's own (known once `add` resolves); a result may come in before that.
  const pending = new Map()
  const early = new Map()
  const settle = (jobId, outcome) => {
    const p = pending.get(jobId)
    if (p === undefined) early.set(jobId, outcome)
    else {
      pending.delete(jobId)
      if ('v' in outcome) p.resolve(outcome.v)
      else p.reject(new Error(outcome.error))
    }
  }
  events.on('completed', ({ jobId, returnvalue }) => settle(jobId, { v: returnvalue }))
  events.on('failed', ({ jobId, failedReason }) => settle(jobId, { error: failedReason }))
  const wait = (resolve, reject) => (job) => {
    const outcome = early.get(job.id)
    if (outcome === undefined) pending.set(job.id, { resolve, reject })
    else {
      early.delete(job.id)
      if ('v' in outcome) resolve(outcome.v)
      else reject(new Error(outcome.error))
    }
  }
  const submit = (a, b) =>
    new Promise((resolve, reject) => {
      queue.add('add', { a, b }).then(wait(resolve, reject), reject)
    })
  // addBulk: the jobs of one synchronous loop go in chunks of `chunk`, the rest at the end of the tick.
  const chunk = 500
  let batch = []
  const flush = () => {
    const b = batch
    batch = []
    queue.addBulk(b.map((j) => ({ name: 'add', data: j.data }))).then(
      (jobs) => jobs.forEach((job, i) => wait(b[i].resolve, b[i].reject)(job)),
      (err) => b.forEach((j) => j.reject(err)),
    )
  }
  const submitBulk = (a, b) =>
    new Promise((resolve, reject) => {
      if (batch.push({ data: { a, b }, resolve, reject }) === 1) queueMicrotask(() => batch.length && flush())
      else if (batch.length === chunk) flush()
    })
  const workers = await Promise.all([
    startChild(children, './jobs/bullmq-worker.mjs', [redis.host, String(redis.port), name, '8']),
    startChild(children, './jobs/bullmq-worker.mjs', [redis.host, String(redis.port), name, '8']),
  ])
  // Between rounds: nothing of the last one left in Redis (jobs, events, id counter). Obliterate
  // deletes the queue's meta hash too, which a new Queue writes again (the events maxLen in it).
  const reset = async () => {
    await queue.obliterate({ force: true })
    await queue.close()
    queue = new Queue(name, queueOpts)
    await queue.waitUntilReady()
  }
  return {
    cases: [
      {
        key: 'bullmq',
        name: 'BullMQ: queue.add per job (removeOnComplete), Worker (concurrency 8), QueueEvents `completed`',
        submit,
        reset,
      },
      {
        key: 'bullmq-bulk',
        name: `BullMQ: queue.addBulk in chunks of ${chunk}, otherwise as above`,
        parts: ['throughput'],
        submit: submitBulk,
        reset,
      },
    ],
    workers,
    async close() {
      await events.close()
      await queue.close()
    },
  }
}

/**
 * A lost job would hang the bench with nothing said: a round of `c` still running after a minute
 * ends it, through 'exit' (which stops the servers and children). Returns what disarms it.
 */
function watchdog(c) {
  const timer = setTimeout(() => {
    console.error(`${c.name}: a round still running after 60 s, given up`)
    process.exit(1)
  }, 60_000)
  return () => clearTimeout(timer)
}

async function throughputPart(cases, gcAll) {
  const N = quick ? 5000 : 20_000
  const rounds = quick ? 2 : 3
  const warmup = 1
  for (const c of cases) c.rates = []
  for (let r = 0; r < warmup + rounds; r++) {
    for (const c of cases.map((_, i) => cases[(i + r) % cases.length])) {
      await c.reset?.()
      await gcAll()
      const submit = c.submit
      const done = watchdog(c)
      const t0 = performance.now()
      const all = new Array(N)
      for (let i = 0; i < N; i++) all[i] = submit(i, 1)
      const got = await Promise.all(all)
      const dt = performance.now() - t0
      done()
      let sum = 0
      for (const v of got) sum += v
      if (sum !== (N * (N - 1)) / 2 + N) throw new Error(`${c.name}: wrong sum ${sum}`)
      if (r >= warmup) c.rates.push(N / (dt / 1000))
    }
  }
  const base = cases.find((c) => c.baseline) ?? cases[0]
  const lines = [
    `### J1 throughput: ${N.toLocaleString('en')} add(a, b) jobs submitted in one loop, two worker processes (${rounds} rounds after ${warmup} warm-up, alternating)`,
    '',
    `| case | jobs/s (median) | min–max | ratio to ${base.key} (median of rounds) |`,
    '|---|---|---|---|',
  ]
  for (const c of cases) {
    const ratio = median(c.rates.map((x, i) => x / base.rates[i]))
    lines.push(
      `| ${c.name}${c === base ? ' **(baseline)**' : ''} | ${int(median(c.rates))} | ${int(Math.min(...c.rates))}–${int(Math.max(...c.rates))} | ${f2(ratio)}× |`,
    )
  }
  for (const [x, y] of pairs(cases)) {
    lines.push('', `${x.key} / ${y.key}: ${f2(median(x.rates.map((r, i) => r / y.rates[i])))}× the jobs/s`)
  }
  console.log(lines.join('\n') + '\n')
}

/** The pairs beside the baseline worth a ratio of their own: verdant against each BullMQ case. */
function pairs(cases) {
  const v = cases.find((c) => c.key === 'verdant')
  return v === undefined ? [] : cases.filter((c) => c.key.startsWith('bullmq')).map((c) => [v, c])
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
      await c.reset?.()
      await gcAll()
      const submit = c.submit
      const done = watchdog(c)
      for (let i = 0; i < warmupCalls; i++) await submit(i, 1)
      for (let i = 0; i < K; i++) {
        const t0 = performance.now()
        await submit(i, 1)
        samples[i] = performance.now() - t0
      }
      done()
      const sorted = [...samples].sort((a, b) => a - b)
      c.p50.push(quantile(sorted, 0.5) * 1000)
      c.p99.push(quantile(sorted, 0.99) * 1000)
    }
  }
  const base = cases.find((c) => c.baseline) ?? cases[0]
  const lines = [
    `### J3 round trip, one job at a time (${K} jobs after ${warmupCalls} warm-up, × ${rounds} rounds, alternating)`,
    '',
    `| case | p50 µs (median of rounds) | p99 µs (median of rounds) | p50 ratio to ${base.key} | p99 ratio to ${base.key} |`,
    '|---|---|---|---|---|',
  ]
  for (const c of cases) {
    const r50 = median(c.p50.map((x, i) => x / base.p50[i]))
    const r99 = median(c.p99.map((x, i) => x / base.p99[i]))
    lines.push(
      `| ${c.name}${c === base ? ' **(baseline)**' : ''} | ${f1(median(c.p50))} | ${f1(median(c.p99))} | ${f2(r50)}× | ${f2(r99)}× |`,
    )
  }
  for (const [x, y] of pairs(cases)) {
    const r50 = median(x.p50.map((v, i) => v / y.p50[i]))
    const r99 = median(x.p99.map((v, i) => v / y.p99[i]))
    lines.push('', `${x.key} / ${y.key}: p50 ${f2(r50)}×, p99 ${f2(r99)}× the time`)
  }
  console.log(lines.join('\n') + '\n')
}

// ---- J2: scaling over worker processes ----

async function scalingPart(url, children) {
  const name = 'bench-spin'
  const N = 64
  const ms = 20
  const rounds = quick ? 1 : 3
  const { connectExecutor, spin } = await verdant()
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
