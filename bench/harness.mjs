// A small benchmark harness: every case of a workload runs in the same process, round-robin with
// the order rotated each round and a forced GC before every case; warm-up rounds first. A case's
// ratio is the median over rounds of (case time / baseline time in the same round), which
// cancels much of the noise of a shared machine. Run with `node --expose-gc`.
import { performance } from 'node:perf_hooks'

const gc = globalThis.gc ?? (() => undefined)

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

function fmt(ms) {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2)
}

/**
 * cases: [{ name, fn: async () => void, baseline?: true, ops?: number }]
 * Returns markdown rows and prints them.
 */
export async function workload(title, cases, { rounds = 7, warmup = 2, ops } = {}) {
  const times = new Map(cases.map((c) => [c, []]))
  const base = cases.find((c) => c.baseline) ?? cases[0]
  for (let r = 0; r < warmup + rounds; r++) {
    const order = cases.map((_, i) => cases[(i + r) % cases.length])
    for (const c of order) {
      gc()
      const t0 = performance.now()
      await c.fn()
      const dt = performance.now() - t0
      if (r >= warmup) times.get(c).push(dt)
    }
  }
  const baseTimes = times.get(base)
  const lines = [
    `### ${title}`,
    '',
    '| case | median (ms) | min–max | ratio to baseline | rate |',
    '|---|---|---|---|---|',
  ]
  for (const c of cases) {
    const ts = times.get(c)
    const ratio = median(ts.map((t, i) => t / baseTimes[i]))
    const n = c.ops ?? ops
    const rate = n ? `${(((n / median(ts)) * 1000) / 1e6).toFixed(2)} M/s` : ''
    lines.push(
      `| ${c.name}${c === base ? ' **(baseline)**' : ''} | ${fmt(median(ts))} | ${fmt(Math.min(...ts))}–${fmt(Math.max(...ts))} | ${ratio.toFixed(2)}× | ${rate} |`,
    )
  }
  lines.push('')
  const text = lines.join('\n')
  console.log(text)
  return text
}

/** Heap bytes per item held alive by `setup(n)`, which returns a function that releases them. */
export async function heapPerItem(n, setup) {
  gc()
  await new Promise((r) => setImmediate(r))
  gc()
  const before = process.memoryUsage().heapUsed
  const release = await setup(n)
  gc()
  const after = process.memoryUsage().heapUsed
  await release()
  gc()
  return (after - before) / n
}

export function machineLine() {
  return `node ${process.version}`
}
