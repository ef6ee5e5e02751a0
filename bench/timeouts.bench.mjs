// 100,000 concurrent tasks (each `await null`), each wrapped in a 10-minute timeout that does not fire.
import { Effect } from 'effect'
import pTimeout from 'p-timeout'
import { withTimeout } from '../dist/index.js'
import { workload } from './harness.mjs'

const N = 100_000
const LIMIT = 600_000
const work = async () => {
  await null
}
const all = (mk) => Promise.all(Array.from({ length: N }, mk))

await workload(
  `W7 ${N.toLocaleString('en')} concurrent tasks, each in a 10-minute timeout that does not fire`,
  [
    { name: 'reference: no timeout (Promise.all of tasks)', fn: () => all(() => work()) },
    {
      name: 'raw: setTimeout + clearTimeout per task',
      baseline: true,
      fn: () =>
        all(async () => {
          const t = setTimeout(() => {
            throw new Error('timeout')
          }, LIMIT)
          try {
            await work()
          } finally {
            clearTimeout(t)
          }
        }),
    },
    { name: 'verdant: withTimeout(ms, fn)', fn: () => all(() => withTimeout(LIMIT, work)) },
    {
      name: 'verdant: withTimeout(ms, fn) using the signal',
      fn: () => all(() => withTimeout(LIMIT, ({ signal }) => (signal.aborted ? undefined : work()))),
    },
    {
      name: 'AbortSignal.timeout + abort listener',
      fn: () =>
        all(async () => {
          const signal = AbortSignal.timeout(LIMIT)
          const onAbort = () => undefined
          signal.addEventListener('abort', onAbort)
          try {
            await work()
          } finally {
            signal.removeEventListener('abort', onAbort)
          }
        }),
    },
    { name: 'p-timeout 7', fn: () => all(() => pTimeout(work(), { milliseconds: LIMIT })) },
    {
      name: 'effect 4: Effect.timeout per task',
      fn: () =>
        Effect.runPromise(
          Effect.forEach(Array.from({ length: N }), () => Effect.timeout(Effect.promise(work), LIMIT), {
            concurrency: 'unbounded',
            discard: true,
          }),
        ),
    },
  ],
  { ops: N, rounds: 5 },
)
