// The task module of bench/jobs.bench.mjs: what the jobs run, on a worker's thread pool (verdant)
// or inline in a raw worker (`add`).
import { performance } from 'node:perf_hooks'

export const add = (a, b) => a + b

/** Spins the CPU for `ms` milliseconds; returns the loop count. */
export function spin(ms) {
  const end = performance.now() + ms
  let n = 0
  while (performance.now() < end) n++
  return n
}
