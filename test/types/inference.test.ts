import { describe, expectTypeOf, it } from 'vitest'
import {
  call,
  Future,
  gather,
  joinAll,
  moveOnAfter,
  Queue,
  scoped,
  sleep,
  spawn,
  spawnLater,
  type Op,
  type Task,
  type TaskContext,
  type Wait,
  withTimeout,
} from 'verdant'

// These are checked by `tsc` in `npm test` (typecheck step); a wrong inference fails the build.
describe('type inference', () => {
  it('spawn infers the value type of async, plain and generator bodies', async () => {
    const a = spawn(async () => 42)
    const b = spawn(() => 'plain')
    const c = spawn(function* () {
      yield* sleep(1)
      return true
    })
    const d = spawn(async (ctx) => {
      expectTypeOf(ctx).toEqualTypeOf<TaskContext>()
      expectTypeOf(ctx.signal).toEqualTypeOf<AbortSignal>()
      return ctx.call(Promise.resolve(1n))
    })
    expectTypeOf(a).toEqualTypeOf<Task<number>>()
    expectTypeOf(b).toEqualTypeOf<Task<string>>()
    expectTypeOf(c).toEqualTypeOf<Task<boolean>>()
    expectTypeOf(d).toEqualTypeOf<Task<bigint>>()
    expectTypeOf(spawnLater(1, async () => 'x')).toEqualTypeOf<Task<string>>()
    await Promise.all([a, b, c, d])
  })

  it('await and yield* give the task value; join gives a boolean', async () => {
    const t = spawn(async () => 42)
    expectTypeOf(await t).toEqualTypeOf<number>()
    expectTypeOf(t.value).toEqualTypeOf<number | undefined>()
    expectTypeOf(t.join()).toEqualTypeOf<Op<boolean>>()
    expectTypeOf(t.get()).toEqualTypeOf<Op<number>>()
    const g = spawn(function* () {
      const v = yield* t
      const w = yield* call(Promise.resolve('s'))
      expectTypeOf(v).toEqualTypeOf<number>()
      expectTypeOf(w).toEqualTypeOf<string>()
      return [v, w] as const
    })
    expectTypeOf(g).toEqualTypeOf<Task<readonly [number, string]>>()
    await g
  })

  it('a queue wait keeps its item type through await, yield* and ctx.call', async () => {
    const q = new Queue<number>({ items: [1, 2, 3] })
    expectTypeOf(q.get()).toEqualTypeOf<Wait<number>>()
    expectTypeOf(q.put(4)).toEqualTypeOf<Wait<void>>()
    expectTypeOf(await q.get()).toEqualTypeOf<number>()
    const viaCall = spawn(async (ctx) => ctx.call(q.get()))
    const viaYield = spawn(function* () {
      const item = yield* q.get()
      expectTypeOf(item).toEqualTypeOf<number>()
      return item
    })
    expectTypeOf(viaCall).toEqualTypeOf<Task<number>>()
    expectTypeOf(viaYield).toEqualTypeOf<Task<number>>()
    await Promise.all([viaCall, viaYield])
  })

  it('gather keeps tuple positions; joinAll keeps the element type', async () => {
    const [n, s] = await gather([spawn(async () => 1), Promise.resolve('two')])
    expectTypeOf(n).toEqualTypeOf<number>()
    expectTypeOf(s).toEqualTypeOf<string>()
    const f = new Future<Date>()
    f.setResult(new Date(0))
    expectTypeOf(await joinAll([f])).toEqualTypeOf<Future<Date>[]>()
  })

  it('timeouts and scopes infer the body value', async () => {
    expectTypeOf(await withTimeout(10, async () => 1)).toEqualTypeOf<number>()
    expectTypeOf(await moveOnAfter(10, async () => 'a')).toEqualTypeOf<string | undefined>()
    expectTypeOf(await scoped(async () => [1, 2])).toEqualTypeOf<number[]>()
  })

  it('rejects bad calls at compile time', () => {
    // @ts-expect-error: a task body must be a function
    expectTypeOf(() => spawn(42)).toBeFunction()
    // @ts-expect-error: ms must be a number
    expectTypeOf(() => sleep('1')).toBeFunction()
    // @ts-expect-error: a task's result cannot be set from outside with the wrong type
    expectTypeOf(() => new Future<number>().setResult('x')).toBeFunction()
  })
})
