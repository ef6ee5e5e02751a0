/**
 * CPU-bound functions for the executor examples. Each is declared with `defineTask`, so the
 * exported value is both the function and the address a worker imports it from.
 */
import { defineTask } from 'verdant/worker'

/** n! as a decimal string (a bigint would clone too, but a string prints the same everywhere). */
export const factorial = defineTask(import.meta.url, 'factorial', (n: number): string => {
  let r = 1n
  for (let i = 2n; i <= BigInt(n); i++) r *= i
  return r.toString()
})

/** A deliberately heavy loop; rejects negative sizes the way a real job rejects bad input. */
export const heavy = defineTask(import.meta.url, 'heavy', (n: number): number => {
  if (n < 0) throw new RangeError(`size must be >= 0, got ${String(n)}`)
  let h = 0
  for (let i = 0; i < n * 100_000; i++) h = (Math.imul(h ^ i, 0x9e3779b1) + 1) | 0
  return h >>> 0
})
