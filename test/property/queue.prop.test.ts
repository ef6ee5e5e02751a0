import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CancelledError, joinAll, Pool, Queue, Semaphore, sleep, spawn, type Task } from 'verdant'
import { leakReport, withVirtualTime } from 'verdant/testing'

type QOp = { kind: 'put' | 'get' | 'kill'; target: number; timeout: number | undefined }

describe('property: queues, semaphores and pools', () => {
  it('random interleavings of put/get/kill/timeout never lose or duplicate an item', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.array(
          fc.record({
            kind: fc.constantFrom('put' as const, 'get' as const, 'kill' as const),
            target: fc.nat(),
            timeout: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
          }),
          { maxLength: 30 },
        ),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 30, maxLength: 30 }),
        async (maxsize, ops: QOp[], delays) =>
          withVirtualTime(async () => {
            const q = new Queue<number>({ maxsize })
            const tasks: Task<unknown>[] = []
            const putters = new Map<Task<unknown>, number>()
            const getters: Task<number>[] = []
            let next = 0
            ops.forEach((op, i) => {
              const delay = delays[i] ?? 0
              if (op.kind === 'kill') {
                tasks.push(
                  spawn(function* () {
                    yield* sleep(delay)
                    const victim = tasks[op.target % Math.max(1, tasks.length)]
                    if (victim !== undefined) yield* victim.kill()
                  }),
                )
              } else if (op.kind === 'put') {
                const item = next++
                const t = spawn(async (ctx) => {
                  await ctx.sleep(delay)
                  // A timeout or shutdown is an expected outcome here: the item was not accepted.
                  await ctx.call(q.put(item, { timeout: op.timeout })).catch(() => {
                    throw new CancelledError('not accepted')
                  })
                  return item
                })
                putters.set(t, item)
                tasks.push(t)
              } else {
                const g = spawn(async (ctx) => {
                  await ctx.sleep(delay)
                  return ctx.call(q.get({ timeout: op.timeout })).catch(() => {
                    throw new CancelledError('nothing received')
                  })
                })
                getters.push(g)
                tasks.push(g)
              }
            })
            // Let every delay and timeout play out, then release whoever still waits.
            await sleep(100)
            q.shutdown()
            await joinAll(tasks)
            const delivered = getters.filter((t) => t.successful).map((t) => t.value as number)
            const remaining: number[] = []
            while (!q.empty) remaining.push(q.getNowait())
            const accepted = [...putters].filter(([t]) => t.successful).map(([, item]) => item)
            // Every accepted item is delivered or still queued, exactly once; nothing else appears.
            expect([...delivered, ...remaining].sort((a, b) => a - b)).toEqual(accepted.sort((a, b) => a - b))
            expect(q.stats()).toMatchObject({ getters: 0, putters: 0 })
          }),
      ),
      { numRuns: 150 },
    )
  })

  it('an item handed to a getter killed at that very moment is not lost (fast-check scheduler)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), async (s) => {
        const q = new Queue<string>()
        const getter = spawn(async (ctx) => ctx.call(q.get()))
        await sleep(0)
        void s.schedule(Promise.resolve(), 'put').then(() => q.putNowait('item'))
        void s.schedule(Promise.resolve(), 'kill').then(() => getter.cancel())
        await s.waitIdle()
        await getter.join()
        const holders = (getter.value === 'item' ? 1 : 0) + q.size
        expect(holders, JSON.stringify(s.report())).toBe(1)
        if (getter.value !== 'item') expect(q.getNowait()).toBe('item')
      }),
      { numRuns: 100 },
    )
  })

  it('random acquire/release/cancel never leaks or over-grants a permit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            hold: fc.integer({ min: 0, max: 10 }),
            start: fc.integer({ min: 0, max: 10 }),
            timeout: fc.option(fc.integer({ min: 0, max: 15 }), { nil: undefined }),
            killAt: fc.option(fc.integer({ min: 0, max: 20 }), { nil: undefined }),
          }),
          { maxLength: 20 },
        ),
        async (permits, plans) =>
          withVirtualTime(async () => {
            const sem = new Semaphore(permits)
            let holding = 0
            let high = 0
            const tasks = plans.map((p) =>
              spawn(async (ctx) => {
                await ctx.sleep(p.start)
                const permit = await ctx.call(sem.acquire({ timeout: p.timeout }))
                holding++
                high = Math.max(high, holding)
                try {
                  await ctx.sleep(p.hold)
                } finally {
                  holding--
                  permit.release()
                }
              }),
            )
            const killers = plans.map((p, i) =>
              p.killAt === undefined
                ? undefined
                : spawn(function* () {
                    yield* sleep(p.killAt ?? 0)
                    yield* (tasks[i] as Task<void>).kill()
                  }),
            )
            await joinAll([...tasks, ...killers.filter((k) => k !== undefined)])
            expect(high).toBeLessThanOrEqual(permits)
            expect(holding).toBe(0)
            expect(sem.value).toBe(permits)
            expect(sem.stats().waiting).toBe(0)
            expect(leakReport().timers).toBe(0)
          }),
      ),
      { numRuns: 150 },
    )
  })

  it('a Pool never runs more than size jobs at once (fast-check scheduler)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.scheduler(), fc.integer({ min: 1, max: 4 }), fc.nat(20), async (s, size, n) => {
        const pool = new Pool(size)
        let running = 0
        let high = 0
        const job = async (i: number) => {
          high = Math.max(high, ++running)
          await s.schedule(Promise.resolve(), `job ${i}`)
          running--
          return i
        }
        const mapped = pool.map(
          job,
          Array.from({ length: n }, (_, i) => i),
        )
        const spawned = Array.from({ length: 3 }, (_, i) => pool.spawn(() => job(100 + i)))
        await s.waitFor(Promise.all([mapped, ...spawned]))
        expect(await mapped).toEqual(Array.from({ length: n }, (_, i) => i))
        expect(high).toBeLessThanOrEqual(size)
        expect(running).toBe(0)
        await pool.onIdle()
      }),
      { numRuns: 100 },
    )
  })
})
