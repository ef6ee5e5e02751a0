// Worker functions for the executor benchmarks, in the shape each pool wants.
import { defineTask } from 'verdant/worker'

export const add = defineTask(import.meta.url, 'add', (a, b) => a + b)

/** About `ms` of CPU: an integer hash loop, calibrated by the caller. */
export function burn(iterations) {
  let h = 0
  for (let i = 0; i < iterations; i++) h = (Math.imul(h ^ i, 0x9e3779b1) + 1) | 0
  return h
}
