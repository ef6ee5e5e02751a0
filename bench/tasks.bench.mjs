// spawn + join of 100,000 tasks: no-op tasks, and tasks that suspend once.
import { Effect, Fiber } from 'effect'
import { call, joinAll, spawn } from '../dist/index.js'
import { workload } from './harness.mjs'

const N = 100_000
const noop = async () => {}
const awaitOnce = async () => {
  await null
}
const resolved = Promise.resolve()
function* genNoop() {}
function* genOnce() {
  yield* call(resolved)
}

await workload(
  `W1a spawn + join, ${N.toLocaleString('en')} no-op tasks`,
  [
    {
      name: 'raw: Promise.all of async no-op fns',
      baseline: true,
      fn: () => Promise.all(Array.from({ length: N }, () => noop())),
    },
    {
      name: 'verdant: spawn(async) + joinAll',
      fn: () => joinAll(Array.from({ length: N }, () => spawn(noop))),
    },
    {
      name: 'verdant: spawn(async) + Promise.all(tasks)',
      fn: () => Promise.all(Array.from({ length: N }, () => spawn(noop))),
    },
    {
      name: 'verdant: spawn(generator) + joinAll',
      fn: () => joinAll(Array.from({ length: N }, () => spawn(genNoop))),
    },
    {
      name: 'effect 4: forkDetach + Fiber.join',
      fn: () =>
        Effect.runPromise(
          Effect.gen(function* () {
            const fibers = []
            for (let i = 0; i < N; i++) fibers.push(yield* Effect.forkDetach(Effect.void))
            for (const f of fibers) yield* Fiber.join(f)
          }),
        ),
    },
  ],
  { ops: N },
)

await workload(
  `W1b spawn + join, ${N.toLocaleString('en')} tasks that suspend once`,
  [
    {
      name: 'raw: Promise.all of async fns (await null)',
      baseline: true,
      fn: () => Promise.all(Array.from({ length: N }, () => awaitOnce())),
    },
    {
      name: 'verdant: spawn(async, await null) + joinAll',
      fn: () => joinAll(Array.from({ length: N }, () => spawn(awaitOnce))),
    },
    {
      name: 'verdant: spawn(generator, yield* call(promise)) + joinAll',
      fn: () => joinAll(Array.from({ length: N }, () => spawn(genOnce))),
    },
    {
      name: 'effect 4: forkDetach(yieldNow) + Fiber.join',
      fn: () =>
        Effect.runPromise(
          Effect.gen(function* () {
            const fibers = []
            for (let i = 0; i < N; i++) fibers.push(yield* Effect.forkDetach(Effect.yieldNow))
            for (const f of fibers) yield* Fiber.join(f)
          }),
        ),
    },
  ],
  { ops: N },
)
