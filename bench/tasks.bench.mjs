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

// The floor of any task library that starts a body after the spawner's step and learns that it
// ended through `then` (the cheapest way V8 offers): a six-field record, one start batch per
// microtask, two bound functions, and a join by callback. No structure, context, kill, state,
// error reporting or observation: verdant's task needs all of those, so it cannot be cheaper.
class FloorTask {
  constructor(fn) {
    this.fn = fn
    this.state = 0
    this.result = undefined
    this.onDone = undefined
    this.prev = undefined
    this.next = undefined
  }
}
function floorSettle(state, value) {
  this.state = state
  this.result = value
  this.onDone?.(this)
}
function floorOk(value) {
  floorSettle.call(this, 1, value)
}
function floorErr(error) {
  floorSettle.call(this, 2, error)
}
// The same floor with a record of a verdant task's size (15 fields, as `Task`) and a context
// object per body: what the bytes alone cost, before any of the logic.
class SizedFloorTask extends FloorTask {
  constructor(fn) {
    super(fn)
    this.f6 = this.f7 = this.f8 = this.f9 = this.f10 = undefined
    this.f11 = this.f12 = this.f13 = this.f14 = undefined
  }
}
class FloorContext {
  constructor(task) {
    this.task = task
  }
}
let floorQueue = []
let floorScheduled = false
function floorDrain() {
  floorScheduled = false
  const batch = floorQueue
  floorQueue = []
  for (const t of batch) {
    const ctx = t instanceof SizedFloorTask ? new FloorContext(t) : t
    t.fn(ctx).then(floorOk.bind(t), floorErr.bind(t))
  }
}
function floorSpawn(fn, sized = false) {
  const t = sized ? new SizedFloorTask(fn) : new FloorTask(fn)
  floorQueue.push(t)
  if (!floorScheduled) {
    floorScheduled = true
    queueMicrotask(floorDrain)
  }
  return t
}
function floorJoinAll(tasks) {
  return new Promise((resolve) => {
    let left = tasks.length
    const done = () => {
      if (--left === 0) resolve(tasks)
    }
    for (const t of tasks) t.onDone = done
  })
}
const FLOOR = 'floor: least a then-notified task can cost (6-field record, batched start, join by callback)'
const SIZED = "floor with a verdant task's bytes (15-field record and a context object)"
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
      name: FLOOR,
      fn: () => floorJoinAll(Array.from({ length: N }, () => floorSpawn(noop))),
    },
    {
      name: SIZED,
      fn: () => floorJoinAll(Array.from({ length: N }, () => floorSpawn(noop, true))),
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
      name: FLOOR,
      fn: () => floorJoinAll(Array.from({ length: N }, () => floorSpawn(awaitOnce))),
    },
    {
      name: SIZED,
      fn: () => floorJoinAll(Array.from({ length: N }, () => floorSpawn(awaitOnce, true))),
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
