// sleep(0) / yieldNow(): the explicit switch that lets I/O run, against a raw setImmediate chain.
import { sleep, spawn, joinAll, yieldNow } from '../dist/index.js'
import { workload } from './harness.mjs'

const HOPS = 100_000
const immediate = () => new Promise((resolve) => setImmediate(resolve))

await workload(
  `W0 ${HOPS.toLocaleString('en')} sequential hops through the event loop`,
  [
    {
      name: 'raw: setImmediate chain (await new Promise(setImmediate))',
      baseline: true,
      fn: async () => {
        for (let i = 0; i < HOPS; i++) await immediate()
      },
    },
    {
      name: 'verdant: await sleep(0)',
      fn: async () => {
        for (let i = 0; i < HOPS; i++) await sleep(0)
      },
    },
    {
      name: 'verdant: generator task, yield* yieldNow()',
      fn: () =>
        spawn(function* () {
          for (let i = 0; i < HOPS; i++) yield* yieldNow()
        }),
    },
    {
      name: 'verdant: async task, await ctx.yieldNow()',
      fn: () =>
        spawn(async (ctx) => {
          for (let i = 0; i < HOPS; i++) await ctx.yieldNow()
        }),
    },
  ],
  { ops: HOPS },
)

const TASKS = 100
const EACH = 1000
await workload(
  `W0b ${TASKS} tasks × ${EACH.toLocaleString('en')} hops each, all yielding in the same turns`,
  [
    {
      name: 'raw: 100 async fns, each awaiting its own setImmediate',
      baseline: true,
      fn: () =>
        Promise.all(
          Array.from({ length: TASKS }, async () => {
            for (let i = 0; i < EACH; i++) await immediate()
          }),
        ),
    },
    {
      name: 'verdant: 100 generator tasks, yield* sleep(0) (one setImmediate per turn)',
      fn: () =>
        joinAll(
          Array.from({ length: TASKS }, () =>
            spawn(function* () {
              for (let i = 0; i < EACH; i++) yield* sleep(0)
            }),
          ),
        ),
    },
  ],
  { ops: TASKS * EACH },
)
