// verdant/remote between two processes on one nats-server, against raw NATS and Moleculer in the
// same run:
//   R1 ask round trip (one at a time): verdant `ask` to an echo actor in the other process, raw
//      `nc.request` to a subscription that JSON-parses and `respond`s, Moleculer `broker.call`.
//   R2 tell throughput, one sender, one receiver in the other process, timed until the receiver
//      handled the last message (it says so over IPC): verdant `tell`, raw `nc.publish` of
//      JSON to a subscription that JSON-parses and calls the handler, Moleculer `broker.emit`.
//   R3 the codec (bench/remote-codec.bench.mjs, run as it is).
//   R4 the cost to the local path: local ping-pong and tells with `verdant/remote` not loaded
//      against loaded with the system joined to the cluster, in fresh processes, alternating.
// The bench starts its own nats-server on 127.0.0.1 and stops it at the end. Raw NATS uses the
// client verdant uses (@nats-io/transport-node); Moleculer's NATS transporter needs `nats` 2.x.
//
// BENCH_REMOTE_PART=ask|tell|codec|local (comma-separated; all by default). BENCH_QUICK=1 for
// fewer rounds. BENCH_REMOTE_BATCH=K: in R2 every sender awaits its connection's flush every K
// messages (0: one synchronous loop, the default). BENCH_PEER_ARGS: extra node flags for the
// other process (`--cpu-prof`...), BENCH_REMOTE_ONLY=verdant|raw|moleculer one case of R1 and R2,
// BENCH_REMOTE_N the messages of R2. Run with `node --expose-gc`.
import { execFileSync, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import os from 'node:os'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { connect } from '@nats-io/transport-node'
import { ActorSystem } from '../dist/index.js'
import { joinCluster } from '../dist/remote/index.js'
import { driveChild } from './child-driver.mjs'
import { machineLine, median, quantile } from './harness.mjs'
import { natsServerVersion, startNatsServer } from './remote/nats-server.mjs'

const require = createRequire(import.meta.url)
const { ServiceBroker } = require('moleculer')
const gc = globalThis.gc ?? (() => undefined)
const here = (p) => fileURLToPath(new URL(p, import.meta.url))
const versionOf = (pkg) =>
  JSON.parse(readFileSync(here(`../node_modules/${pkg}/package.json`), 'utf8')).version

const parts = new Set((process.env.BENCH_REMOTE_PART ?? 'ask,tell,codec,local').split(','))
const quick = process.env.BENCH_QUICK === '1'
const batch = Number(process.env.BENCH_REMOTE_BATCH ?? 0)
// BENCH_REMOTE_ONLY=verdant (or raw, moleculer): R1 and R2 run only the cases whose name starts so,
// as when profiling one of them.
const only = process.env.BENCH_REMOTE_ONLY
const selected = (cases) => (only ? cases.filter((c) => c.name.startsWith(only)) : cases)

const f1 = (x) => (x >= 100 ? x.toFixed(0) : x.toFixed(1))
const f2 = (x) => x.toFixed(2)

console.log(machineLine())
console.log(`${os.cpus().length} × ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.platform()} ${os.release()}`)
console.log(
  `nats-server ${natsServerVersion()}, @nats-io/transport-node ${versionOf('@nats-io/transport-node')}, ` +
    `moleculer ${versionOf('moleculer')} with nats ${versionOf('nats')}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
)

const runCodec = () =>
  execFileSync(process.execPath, ['--expose-gc', here('./remote-codec.bench.mjs')], { stdio: 'inherit' })

let server, system, node
if (natsServerVersion() === 'not installed') {
  // `npm run bench` runs every file: without a server only the codec part can run.
  console.log('nats-server is not on the PATH (nor NATS_SERVER_BIN): R1, R2 and R4 skipped\n')
  if (parts.has('codec')) runCodec()
} else {
  server = await startNatsServer()
  system = new ActorSystem({ name: 'bench', logLevel: 'off' })
  node = await joinCluster(system, { servers: server.url, nodeId: 'main' })
  try {
    if (parts.has('ask') || parts.has('tell')) await networkParts()
    if (parts.has('codec')) runCodec()
    if (parts.has('local')) await localPart()
  } finally {
    await node.leave()
    await system.shutdown()
    await server.stop()
  }
}

// ---- R1 and R2: between this process and the peer ----

async function networkParts() {
  const peer = await startPeer(server.url)
  const nc = await connect({ servers: server.url, name: 'bench-raw-main' })
  const broker = new ServiceBroker({
    nodeID: 'mol-main',
    namespace: 'bench',
    transporter: { type: 'NATS', options: { url: server.url } },
    logger: false,
  })
  await broker.start()
  await broker.waitForServices(['echo', 'sink'], 10_000)
  try {
    if (parts.has('ask')) await askPart(peer, nc, broker)
    if (parts.has('tell')) await tellPart(peer, nc, broker)
  } finally {
    await peer.stop()
    await broker.stop()
    await nc.drain()
  }
  const slow = server.log().match(/slow consumer/gi)?.length ?? 0
  console.log(`nats-server reported ${slow} slow consumer(s) in this run\n`)
}

async function startPeer(url) {
  const extra = process.env.BENCH_PEER_ARGS ? process.env.BENCH_PEER_ARGS.split(' ') : []
  let onDone
  const peer = await driveChild(here('./remote/peer.mjs'), [url], {
    execArgv: ['--expose-gc', ...extra],
    onMessage: (m) => {
      if (m.done !== undefined) onDone?.(m)
    },
  })
  return {
    cmd: peer.cmd,
    /** Resolves with the peer's `done` message, or with undefined after `ms`. */
    done(ms) {
      return new Promise((resolve) => {
        const t = setTimeout(() => resolve(undefined), ms)
        onDone = (m) => {
          clearTimeout(t)
          onDone = undefined
          resolve(m)
        }
      })
    },
    stop: peer.stop,
  }
}

async function askPart(peer, nc, broker) {
  const K = quick ? 1000 : 2000 // round trips per case and round
  const rounds = quick ? 5 : 9
  const warmup = 2
  const echo = node.refAt('peer', '/user/echo')
  let floorId = 0
  const floorPending = new Map()
  const floorPrefix = 'bench.floor.main.'.length
  nc.subscribe('bench.floor.main.*', {
    callback: (_err, msg) => {
      const id = Number(msg.subject.slice(floorPrefix))
      const resolve = floorPending.get(id)
      floorPending.delete(id)
      resolve(JSON.parse(msg.string()))
    },
  })
  await nc.flush()
  const cases = selected([
    {
      name: 'raw NATS: nc.request of JSON, subscription JSON.parse + msg.respond',
      baseline: true,
      fn: async () =>
        JSON.parse(
          (
            await nc.request('bench.raw.echo', JSON.stringify({ type: 'echo', n: 1, text: 'hello' }), {
              timeout: 5000,
            })
          ).string(),
        ),
    },
    {
      // The floor under nc.request (which makes a request record, an inbox token, a timer and,
      // with async traces on by default, an Error per call): a publish with a reply subject and
      // one wildcard subscription taking every answer, as verdant's node does; no timeout.
      name: 'raw NATS floor: publish with reply + one wildcard reply subscription (no timer)',
      fn: () =>
        new Promise((resolve) => {
          const id = ++floorId
          floorPending.set(id, resolve)
          nc.publish('bench.raw.echo', JSON.stringify({ type: 'echo', n: 1, text: 'hello' }), {
            reply: `bench.floor.main.${id}`,
          })
        }),
    },
    {
      name: 'verdant: remote ask of an echo actor',
      fn: () => echo.ask((replyTo) => ({ type: 'echo', n: 1, text: 'hello', replyTo })),
    },
    {
      name: `moleculer ${versionOf('moleculer')}: broker.call over NATS`,
      fn: () => broker.call('echo.echo', { type: 'echo', n: 1, text: 'hello' }),
    },
  ])
  for (const c of cases) {
    const r = await c.fn()
    if (r?.type !== 'echoed' || r.n !== 1 || r.text !== 'hello') throw new Error(`${c.name}: bad answer`)
    c.p50 = []
    c.p99 = []
    c.rate = []
  }
  const samples = new Float64Array(K)
  for (let r = 0; r < warmup + rounds; r++) {
    for (const c of cases.map((_, i) => cases[(i + r) % cases.length])) {
      await peer.cmd('gc')
      gc()
      const fn = c.fn
      const t00 = performance.now()
      for (let i = 0; i < K; i++) {
        const t0 = performance.now()
        await fn()
        samples[i] = performance.now() - t0
      }
      const total = performance.now() - t00
      if (r < warmup) continue
      const sorted = [...samples].sort((a, b) => a - b)
      c.p50.push(quantile(sorted, 0.5) * 1000)
      c.p99.push(quantile(sorted, 0.99) * 1000)
      c.rate.push(K / (total / 1000))
    }
  }
  const base = cases.find((c) => c.baseline) ?? cases[0]
  const lines = [
    `### R1 ask round trip between two processes, one at a time (${K.toLocaleString('en')} calls × ${rounds} rounds)`,
    '',
    '| case | p50 µs (median of rounds) | p99 µs (median of rounds) | p50 ratio | p99 ratio | round trips/s |',
    '|---|---|---|---|---|---|',
  ]
  for (const c of cases) {
    const r50 = median(c.p50.map((x, i) => x / base.p50[i]))
    const r99 = median(c.p99.map((x, i) => x / base.p99[i]))
    lines.push(
      `| ${c.name}${c === base ? ' **(baseline)**' : ''} | ${f1(median(c.p50))} | ${f1(median(c.p99))} | ${f2(r50)}× | ${f2(r99)}× | ${Math.round(median(c.rate)).toLocaleString('en')} |`,
    )
  }
  console.log(lines.join('\n') + '\n')
}

async function tellPart(peer, nc, broker) {
  const N = Number(process.env.BENCH_REMOTE_N ?? (quick ? 100_000 : 500_000))
  const molN = Math.max(1, Math.round(N / 10)) // Moleculer is far slower: fewer messages, same rate
  const rounds = quick ? 3 : 5
  const warmup = 1
  const sink = node.refAt('peer', '/user/sink')
  // `_nc` is the node's NATS connection (internal): flushed as the raw one is, when batching.
  const vnc = node._nc
  const mnc = broker.transit.tx.client
  const msg = (i) => ({ type: 'item', n: i, text: 'hello' })
  const cases = selected([
    {
      name: 'raw NATS: nc.publish of JSON, subscription JSON.parse + handler',
      baseline: true,
      n: N,
      send: (i) => nc.publish('bench.raw.sink', JSON.stringify(msg(i))),
      flush: () => nc.flush(),
    },
    {
      name: 'verdant: remote tell to an actor',
      n: N,
      send: (i) => sink.tell(msg(i)),
      flush: () => vnc.flush(),
    },
    {
      name: `moleculer ${versionOf('moleculer')}: broker.emit over NATS to an event handler`,
      n: molN,
      send: (i) => void broker.emit('bench.item', msg(i)),
      flush: () => mnc.flush(),
    },
  ])
  for (const c of cases) {
    c.times = []
    c.rates = []
  }
  const failures = []
  for (let r = 0; r < warmup + rounds; r++) {
    for (const c of cases.map((_, i) => cases[(i + r) % cases.length])) {
      await peer.cmd('arm', { kind: c.name, n: c.n })
      gc()
      const done = peer.done(60_000)
      const { send, flush, n } = c
      const t0 = performance.now()
      if (batch > 0) {
        for (let i = 0; i < n;) {
          const end = Math.min(n, i + batch)
          for (; i < end; i++) send(i)
          await flush()
        }
      } else {
        for (let i = 0; i < n; i++) send(i)
      }
      const got = await done
      const dt = performance.now() - t0
      if (got === undefined || got.sum !== (n * (n - 1)) / 2) {
        const { count } = await peer.cmd('count')
        failures.push(`${c.name}: ${count} of ${n} handled (round ${r})`)
        continue
      }
      if (r < warmup) continue
      c.times.push(dt)
      c.rates.push(n / (dt / 1000))
    }
  }
  const base = cases.find((c) => c.baseline) ?? cases[0]
  const how = batch > 0 ? `, awaiting a flush every ${batch}` : ', sent in one loop'
  const lines = [
    `### R2 tell throughput, one sender to one receiver in another process (${N.toLocaleString('en')} messages, Moleculer ${molN.toLocaleString('en')}${how}; ${rounds} rounds)`,
    '',
    '| case | median (ms) | min–max | rate (msgs/s) | rate ratio to baseline |',
    '|---|---|---|---|---|',
  ]
  for (const c of cases) {
    if (c.times.length === 0) {
      lines.push(`| ${c.name} | failed | | | |`)
      continue
    }
    const k = Math.min(c.rates.length, base.rates.length)
    const ratio = median(c.rates.slice(0, k).map((x, i) => x / base.rates[i]))
    lines.push(
      `| ${c.name}${c === base ? ' **(baseline)**' : ''} | ${f1(median(c.times))} | ${f1(Math.min(...c.times))}–${f1(Math.max(...c.times))} | ${Math.round(median(c.rates)).toLocaleString('en')} | ${f2(ratio)}× |`,
    )
  }
  if (failures.length > 0) lines.push('', `Dropped messages: ${failures.join('; ')}`)
  console.log(lines.join('\n') + '\n')
}

// ---- R4: the local path with and without verdant/remote ----

function runVariant(variant, rounds) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--expose-gc', here('./remote/local-variant.mjs'), variant, server.url, String(rounds)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (s) => (out += s))
    child.on('exit', (code) => {
      if (code !== 0) reject(new Error(`local-variant ${variant} exited with ${code}`))
      else resolve(JSON.parse(out.trim().split('\n').pop()))
    })
  })
}

async function localPart() {
  const pairs = Number(process.env.BENCH_REMOTE_PAIRS ?? (quick ? 3 : 12))
  const inner = quick ? 3 : 5
  const plain = []
  const joined = []
  for (let r = 0; r < pairs; r++) {
    // Alternate which variant goes first.
    if (r % 2 === 0) {
      plain.push(await runVariant('plain', inner))
      joined.push(await runVariant('joined', inner))
    } else {
      joined.push(await runVariant('joined', inner))
      plain.push(await runVariant('plain', inner))
    }
  }
  const N = 1_000_000
  const row = (name, runs, key) => {
    const t = median(runs.map((x) => x[key]))
    return { t, rate: N / t / 1000 }
  }
  const lines = [
    `### R4 the local path with verdant/remote loaded and joined (1,000,000 messages; ${pairs} fresh processes per variant, alternating, each the median of ${inner} rounds)`,
    '',
    '| workload | not loaded: median (ms) | rate | loaded + joined, second node up: median (ms) | rate | time ratio (median of pairs) | min–max of pair ratios |',
    '|---|---|---|---|---|---|---|',
  ]
  const notes = []
  for (const [key, label] of [
    ['pingPong', 'ping-pong between two actors'],
    ['tells', 'one actor, 1,000,000 tells from a loop'],
  ]) {
    const a = row('plain', plain, key)
    const b = row('joined', joined, key)
    const ratios = joined.map((j, i) => j[key] / plain[i][key])
    lines.push(
      `| ${label} | ${f1(a.t)} | ${f2(a.rate)} M/s | ${f1(b.t)} | ${f2(b.rate)} M/s | ${f2(median(ratios))}× | ${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))}× |`,
    )
    const gcA = median(plain.map((x) => x[`${key}Gc`]))
    const gcB = median(joined.map((x) => x[`${key}Gc`]))
    notes.push(
      `${key}: GC ${f1(gcA)} ms not loaded, ${f1(gcB)} ms joined (medians); pair ratios (joined/not loaded): ${ratios.map(f2).join(' ')}`,
    )
  }
  console.log(lines.join('\n') + '\n\n' + notes.join('\n') + '\n')
}
