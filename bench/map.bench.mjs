// Bounded map: 100,000 async jobs that each `await null`, at most 16 at once.
import asyncLib from 'async'
import { Effect } from 'effect'
import pLimit from 'p-limit'
import pMap from 'p-map'
import PQueue from 'p-queue'
import { Pool } from '../dist/index.js'
import { workload } from './harness.mjs'

const N = 100_000
const C = 16
const items = Array.from({ length: N }, (_, i) => i)
const job = async (x) => {
  await null
  return x
}

/** An ordered imap with no cancellation, errors policy or bookkeeping: `c` jobs in flight. */
function rawImap(fn, arr, c) {
  const window = new Array(c)
  let head = 0
  let next = 0
  const start = () => {
    if (next < arr.length) window[next++ % c] = fn(arr[next - 1])
  }
  for (let i = 0; i < c; i++) start()
  return {
    [Symbol.asyncIterator]() {
      return this
    },
    async next() {
      if (head >= arr.length) return { done: true, value: undefined }
      const value = await window[head++ % c]
      start()
      return { done: false, value }
    },
  }
}

await workload(
  `W2 bounded map, ${N.toLocaleString('en')} async jobs (await null), concurrency ${C}`,
  [
    {
      name: 'raw: 16 async workers pulling an index',
      baseline: true,
      fn: async () => {
        const out = new Array(N)
        let next = 0
        const worker = async () => {
          while (next < N) {
            const i = next++
            out[i] = await job(items[i])
          }
        }
        await Promise.all(Array.from({ length: C }, worker))
        return out
      },
    },
    {
      // The floor for any imap: a window of 16 job promises, the consumer awaiting the head one.
      name: 'raw: leanest ordered imap (16 job promises, for await)',
      fn: async () => {
        let n = 0
        for await (const _ of rawImap(job, items, C)) n++
        return n
      },
    },
    { name: 'verdant: new Pool(16).map', fn: () => new Pool(C).map(job, items) },
    {
      name: 'verdant: Pool(16).imap (for await)',
      fn: async () => {
        let n = 0
        for await (const _ of new Pool(C).imap(job, items)) n++
        return n
      },
    },
    {
      name: 'verdant: Pool(16).imapUnordered (for await)',
      fn: async () => {
        let n = 0
        for await (const _ of new Pool(C).imapUnordered(job, items)) n++
        return n
      },
    },
    { name: 'async.eachLimit 3', fn: () => asyncLib.eachLimit(items, C, async (x) => job(x)) },
    { name: 'p-map 7', fn: () => pMap(items, job, { concurrency: C }) },
    {
      name: 'p-limit 7',
      fn: () => {
        const limit = pLimit(C)
        return Promise.all(items.map((x) => limit(() => job(x))))
      },
    },
    {
      name: 'p-queue 9',
      fn: async () => {
        const q = new PQueue({ concurrency: C })
        const ps = items.map((x) => q.add(() => job(x)))
        await Promise.all(ps)
      },
    },
    {
      name: 'effect 4: Effect.forEach({concurrency: 16}) of Effect.promise',
      fn: () =>
        Effect.runPromise(Effect.forEach(items, (x) => Effect.promise(() => job(x)), { concurrency: C })),
    },
  ],
  { ops: N },
)
