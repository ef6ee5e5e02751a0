// The soak suite at full size, on the built package: long runs that must keep a flat heap and
// leave no task, timer or handle behind, and seeded fuzz runs that must lose nothing. `npm test`
// runs the same scenarios at the quick sizes (test/faults/); `--quick` runs those sizes here.
//
//   node scripts/soak.mjs [--quick] [--only=<name>,...] [--seed=<n>]
//
// --only picks scenarios whose name contains one of the words; --seed changes the base seed of the
// seeded scenarios (a failure prints the seed of the run that failed). Prints a table and a final
// PASS or FAIL; exits 1 on failure.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

// Heap readings need a full GC: run again with it exposed.
if (typeof globalThis.gc !== 'function') {
  const args = ['--expose-gc', ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)]
  const child = spawnSync(process.execPath, args, { stdio: 'inherit' })
  process.exit(child.status ?? 1)
}

const flags = new Map(
  process.argv.slice(2).map((a) => {
    const [k, v] = a.replace(/^--/, '').split('=')
    return [k, v ?? 'true']
  }),
)
const quick = flags.has('quick')
const only = flags.get('only')?.split(',')
const seed = flags.has('seed') ? Number(flags.get('seed')) : undefined

const { allTasks } = await import('../dist/index.js')
const { leakReport } = await import('../dist/testing/index.js')
const util = await import('../test/fixtures/soak-util.mjs')
const { activeResources, describeResources, hex, MB, mb, resourcesLeft, settledHeap } = util

// A clean run's heap moves by well under a megabyte; a leak of a few bytes per cycle or message
// passes this over a million of them.
const GROWTH_LIMIT = 3 * MB

function flat(heap) {
  const growth = heap.end - heap.start
  return growth < GROWTH_LIMIT
    ? []
    : [`heap grew ${mb(growth)} MB (limit ${mb(GROWTH_LIMIT)}): ${mb(heap.start)} → ${mb(heap.end)} MB`]
}

const count = (n) => n.toLocaleString('en-US')
const rate = (n, ms) => `${((n / ms) * 1000).toLocaleString('en-US', { maximumFractionDigits: 0 })}/s`

/**
 * The scenarios, in the order they run. Each has a `size` for the full and the quick run and a
 * `run(size, {quick, seed})` that resolves to `{work, heap?, figures?, problems}`: what it did (a
 * phrase for the table), the heap after a full GC at its start, middle and end if it took them,
 * further figures to print under the table, and what went wrong (empty when it passed). A
 * scenario that throws fails. Around each one the runner times it and checks that it left no
 * verdant task or timer and no host handle behind.
 */
const scenarios = [
  {
    name: 'spawn/kill',
    size: { full: { cycles: 1_000_000, batch: 1000 }, quick: { cycles: 200_000, batch: 1000 } },
    async run(size) {
      const { runSpawnKill } = await import('../test/fixtures/soak-spawn-kill.mjs')
      const r = await runSpawnKill(size)
      const c = r.counts
      return {
        work: `${count(r.cycles)} tasks spawned and killed, ${count(size.batch)} a batch`,
        heap: r.heap,
        figures: [
          `${rate(r.cycles, r.ms)}; ${count(c.cancelled)} cancelled, ${count(c.succeeded)} caught their kill, ${count(c.neverStarted)} killed before they started`,
        ],
        problems: [...r.problems, ...flat(r.heap)],
      }
    },
  },
  {
    name: 'actor restarts',
    size: {
      full: { messages: 1_000_000, crashEvery: 10, batch: 10_000 },
      quick: { messages: 500_000, crashEvery: 10, batch: 10_000 },
    },
    async run(size) {
      const { runActorRestarts } = await import('../test/fixtures/soak-actors.mjs')
      const r = await runActorRestarts(size)
      return {
        work: `${count(r.messages)} messages, a crash every ${String(size.crashEvery)}th`,
        heap: r.heap,
        figures: [`${rate(r.messages, r.ms)}; ${count(r.restarts)} restarts`],
        problems: [...r.problems, ...flat(r.heap)],
      }
    },
  },
  {
    name: 'interleavings',
    size: { full: { runs: 10_000 }, quick: { runs: 5000 } },
    async run(size, ctx) {
      const { runInterleavings } = await import('../test/fixtures/soak-interleavings.mjs')
      const r = await runInterleavings({ ...size, ...(ctx.seed === undefined ? {} : { seed: ctx.seed }) })
      return {
        work: `${count(size.runs)} seeded interleavings`,
        figures: [
          `${count(r.items)} items offered, ${count(r.accepted)} accepted: ${count(r.got)} got, ${count(r.left)} left queued; ${count(r.refusals)} timeouts and refusals, ${count(r.kills)} kills`,
          ...(r.failedSeed === undefined
            ? []
            : [
                `failed at run ${count(r.runs)}; replay: SOAK_REPLAY=${hex(r.failedSeed)} npx vitest run test/faults/interleavings.test.ts`,
              ]),
        ],
        problems: r.problems,
      }
    },
  },
  {
    name: 'supervision storms',
    size: { full: { storms: 10_000 }, quick: { storms: 1000 } },
    async run(size, ctx) {
      const { runSupervisionStorms } = await import('../test/fixtures/soak-supervision.mjs')
      const r = await runSupervisionStorms({ ...size, ...(ctx.seed === undefined ? {} : { seed: ctx.seed }) })
      return {
        work: `${count(size.storms)} random storms against OTP's rules`,
        figures: [
          `${count(r.crashes)} crashes, ${count(r.restarts)} restarts, ${count(r.gaveUp)} supervisors gave up, ${count(r.shutdowns)} system shutdowns${r.failedSeed === undefined ? '' : `; differed at storm ${count(r.storms)}`}`,
        ],
        problems: r.problems,
      }
    },
  },
  ...['ThreadPoolExecutor', 'ProcessPoolExecutor'].flatMap((pool) =>
    // An endless loop costs its run timeout and the kill delay, so that storm has fewer of them.
    ['exit', 'async', 'oom', 'loop'].map((mode) => ({
      name: `crash storm ${pool} ${mode}`,
      size: {
        full: { jobs: 5000, crashEvery: mode === 'loop' ? 500 : 100 },
        quick: { jobs: 500, crashEvery: mode === 'loop' ? 250 : 100 },
      },
      async run(size) {
        const verdant = await import('../dist/index.js')
        const { liveWorkers } = await import('../dist/executor/worker-handle.js')
        const { runStorm } = await import('../test/fixtures/storm.mjs')
        const logDir = mkdtempSync(join(os.tmpdir(), 'verdant-soak-storm-'))
        try {
          const r = await runStorm({
            Executor: verdant[pool],
            executorOptions: { maxWorkers: 2 },
            mode,
            liveWorkers,
            logDir,
            ...size,
          })
          return {
            work: `${count(r.jobs)} jobs, ${count(r.crashing)} of them crash their worker (${mode})`,
            figures: [
              `${String(r.duplicates)} started twice, ${String(r.innocentFailures)} innocent failures, ${String(r.resultLost)} results lost, crashes ${String(r.crashes)}, terminated ${String(r.terminated)} for ${String(r.crashing)} crashing jobs, ${count(r.completed)} completed, ${String(r.ms)} ms`,
            ],
            problems: [...r.problems, ...stormProblems(r)],
          }
        } finally {
          rmSync(logDir, { recursive: true, force: true })
        }
      },
    })),
  ),
]

/** The storm's counts against what must hold (test/faults/crash-storm.test.ts checks the same). */
function stormProblems(r) {
  const out = []
  const expect = (what, got, want) => {
    if (got !== want) out.push(`${what}: ${String(got)}, expected ${String(want)}`)
  }
  expect('hung', r.hung, false)
  expect('shutdown hung', r.shutdownHung, false)
  expect('jobs started twice', r.duplicates, 0)
  expect('innocent jobs failed', r.innocentFailures, 0)
  // Nothing can run when a heap runs out: a result held then is lost, and said to be.
  if (r.mode !== 'oom') expect('results lost', r.resultLost, 0)
  expect('crashing jobs with the wrong error', r.crashingWrong, 0)
  expect('crashes', r.crashes, r.mode === 'loop' ? 0 : r.crashing)
  expect('terminated', r.terminated, r.mode === 'loop' ? r.crashing : 0)
  expect('settled', r.completed + r.failed + r.cancelled, r.jobs)
  expect('leftover pids', r.leftoverPids, 0)
  expect('leftover workers', r.leftoverWorkers, 0)
  return out
}

const cpus = os.cpus()
console.log(`node ${process.version} (${quick ? 'quick' : 'full'} sizes)`)
console.log(
  `Machine: ${String(cpus.length)} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}`,
)
console.log('')

const rows = []
const notes = []
let failed = 0
const selected = scenarios.filter((s) => only === undefined || only.some((w) => s.name.includes(w)))
if (selected.length === 0) {
  console.error(`no scenario matches --only=${String(flags.get('only'))}`)
  process.exit(1)
}
const t0 = performance.now()
for (const s of selected) {
  process.stderr.write(`${s.name}...\n`)
  const heapBefore = await settledHeap()
  const handlesBefore = activeResources()
  const started = performance.now()
  let res
  try {
    res = await s.run(quick ? s.size.quick : s.size.full, { quick, seed })
  } catch (err) {
    res = {
      work: '',
      problems: [`threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`],
    }
  }
  const ms = performance.now() - started
  const heapAfter = await settledHeap()
  const problems = [...res.problems]
  const live = allTasks().length
  if (live > 0) problems.push(`${String(live)} verdant tasks still live`)
  const leaks = Object.entries(leakReport()).filter(([, n]) => n > 0)
  if (leaks.length > 0) problems.push(`leak report: ${leaks.map(([k, n]) => `${k} ${String(n)}`).join(', ')}`)
  const added = await resourcesLeft(handlesBefore)
  const handlesAfter = activeResources()
  if (added.length > 0) problems.push(`handles left behind: ${added.join(', ')}`)
  const heap = res.heap
    ? `${mb(res.heap.start)} → ${mb(res.heap.mid)} → ${mb(res.heap.end)}`
    : `${mb(heapBefore)} → ${mb(heapAfter)}`
  const ok = problems.length === 0
  if (!ok) failed++
  rows.push(
    `| ${s.name} | ${res.work} | ${(ms / 1000).toFixed(1)} | ${heap} | ${describeResources(handlesBefore)} → ${describeResources(handlesAfter)} | ${ok ? 'pass' : 'FAIL'} |`,
  )
  for (const f of res.figures ?? []) notes.push(`- ${s.name}: ${f}`)
  for (const p of problems) notes.push(`- ${s.name}: FAIL: ${p}`)
}

console.log('| scenario | work | time (s) | heap after GC (MB) | host handles before → after | result |')
console.log('|---|---|---|---|---|---|')
for (const row of rows) console.log(row)
console.log('')
console.log(
  'Heap: at the start (after warming up), middle and end where the scenario samples it, else before → after.',
)
for (const n of notes) console.log(n)
console.log('')
const total = ((performance.now() - t0) / 1000).toFixed(1)
if (failed === 0) console.log(`soak: PASS (${String(selected.length)} scenarios, ${total} s)`)
else console.log(`soak: FAIL (${String(failed)} of ${String(selected.length)} scenarios, ${total} s)`)
process.exitCode = failed === 0 ? 0 : 1
