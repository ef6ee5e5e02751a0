/**
 * The jobs demo's task: loaded by the worker threads of each job server, from its compiled
 * `dist-examples/jobs/tasks.js` (the URL the job carries is this module's own).
 */
import { defineTask } from 'verdant/worker'

/** How long one job spins, in ms. */
export const SPIN_MS = 50

/**
 * The sum of the integers in [from, to), computed by a loop, again and again until `SPIN_MS` have
 * passed: ~50 ms of CPU, and a value the submitter can check against `expectedSum`.
 */
export const sumRange = defineTask(import.meta.url, 'sumRange', (from: number, to: number): number => {
  const end = Date.now() + SPIN_MS
  let sum = 0
  do {
    sum = 0
    for (let i = from; i < to; i++) sum += i
  } while (Date.now() < end)
  return sum
})

/** What `sumRange(from, to)` must return. */
export const expectedSum = (from: number, to: number): number => ((from + to - 1) * (to - from)) / 2
