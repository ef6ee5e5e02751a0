// A small benchmark harness: every case of a workload runs in the same process, round-robin with
// the order rotated each round and a forced GC before every case; warm-up rounds first. A case's
// ratio is the median over rounds of (case time / baseline time in the same round), which
// cancels much of the noise of a shared machine. Run with `node --expose-gc`.
import { performance } from 'node:perf_hooks'

const gc = globalThis.gc ?? (() => undefined)

/** The median of samples. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/** The q-quantile of sorted samples (nearest rank). */
export function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]
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

/**
 * A full loop turn, then a full GC: after 100,000 tasks were released, a `setImmediate` turn was
 * not enough for everything they held to become collectable; a timer turn is.
 */
async function settle() {
  await new Promise((r) => setTimeout(r, 10))
  gc()
}

/**
 * Heap bytes per item held alive by `setup(n)`, which returns a function that releases them.
 *
 * The release is checked: whatever a sample still holds after it would be freed during the next
 * sample and make that one read low, so a sample that leaves more than 2% of its bytes behind
 * fails the run instead of skewing the figures.
 */
export async function heapPerItem(n, setup) {
  await settle()
  const before = process.memoryUsage().heapUsed
  let release = await setup(n)
  gc()
  const after = process.memoryUsage().heapUsed
  await release()
  release = undefined
  await settle()
  const left = process.memoryUsage().heapUsed - before
  if (left > 0.02 * (after - before) && left > 1e6) {
    throw new Error(`a heap sample kept ${(left / n).toFixed(0)} bytes per item after its release`)
  }
  return (after - before) / n
}

export function machineLine() {
  return `node ${process.version}`
}
