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
