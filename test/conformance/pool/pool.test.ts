import { describe, expect, it } from 'vitest'
import { Group, type MapFn, Pool, sleep, spawn, type Task } from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'

/** Runs `pool.imap(job, items)` to its end, collecting into `got` what it yields before any error. */
async function drainImap(pool: Pool, job: MapFn<number, Promise<number>>, items: number[], got: number[]) {
  for await (const r of pool.imap(job, items)) got.push(r)
}

const after = (ms: number, value: number) =>
  function* () {
    yield* sleep(ms)
    return value
  }

describe('conformance: Group', () => {
  it('gevent Group: tasks leave the group when they finish; join waits until it is empty', () =>
    withVirtualTime(async (clock) => {
      const group = new Group()
      const a = group.spawn(after(10, 1))
      group.spawn(after(20, 2))
      expect(group.size).toBe(2)
      expect(group.has(a)).toBe(true)
      expect(await group.join()).toBe(true)
      expect(group.size).toBe(0)
      expect(group.has(a)).toBe(false)
      expect(clock.now()).toBe(20)
    }))

  it('gevent Group: add, discard and iteration', () =>
    withVirtualTime(async () => {
      const group = new Group()
      const t = spawn(after(5, 1))
      group.add(t)
      expect([...group]).toEqual([t])
      group.discard(t)
      expect(group.size).toBe(0)
      await t
      group.add(t) // a finished task is not added
      expect(group.size).toBe(0)
    }))

  it('gevent Group.join(timeout) returns false while members still run', () =>
    withVirtualTime(async () => {
      const group = new Group()
      group.spawn(after(100, 1))
      expect(await group.join({ timeout: 10 })).toBe(false)
      expect(await group.join()).toBe(true)
    }))

  it('gevent Group.join(raise_error) raises the first failure of a member', () =>
    withVirtualTime(async () => {
      const group = new Group()
      const boom = new Error('boom')
      group.spawn(function* () {
        yield* sleep(5)
        throw boom
      })
      const slow = group.spawn(after(50, 1))
      await expect(group.join({ raiseError: true })).rejects.toBe(boom)
      await slow
    }))

  it('gevent Group.kill kills every member and resolves after their finally blocks', () =>
    withVirtualTime(async () => {
      const group = new Group()
      const cleaned: number[] = []
      for (const i of [1, 2]) {
        group.spawn(function* () {
          try {
            yield* sleep(10_000)
          } finally {
            yield* sleep(i)
            cleaned.push(i)
          }
        })
      }
      await sleep(0)
      expect(await group.kill()).toBe(true)
      expect(cleaned).toEqual([1, 2])
      expect(group.size).toBe(0)
    }))

  it('gevent Group.killone kills one member', () =>
    withVirtualTime(async () => {
      const group = new Group()
      const a = group.spawn(after(1000, 1))
      const b = group.spawn(after(10, 2))
      await sleep(0)
      await group.killOne(a)
      expect(a.state).toBe('cancelled')
      expect(await b).toBe(2)
    }))

  it('gevent Group.map gives results in input order; apply gives one result', () =>
    withVirtualTime(async () => {
      const group = new Group()
      const r = await group.map(
        (x: number) =>
          spawn(function* () {
            yield* sleep(30 - x * 10)
            return x * 2
          }).get(),
        [0, 1, 2],
      )
      expect(r).toEqual([0, 2, 4])
      expect(await group.apply((a: number, b: number) => a + b, [2, 3])).toBe(5)
    }))
})

describe('conformance: Pool', () => {
  it('gevent Pool: spawn returns the task at once; it starts when a slot is free', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const tasks = [10, 10, 10].map((ms, i) => pool.spawn(after(ms, i)))
      expect(tasks.map((t) => t.state)).toEqual(['pending', 'pending', 'pending'])
      await sleep(1)
      expect(tasks.map((t) => t.state)).toEqual(['running', 'running', 'pending'])
      expect([pool.running, pool.pending, pool.freeCount, pool.full]).toEqual([2, 1, 0, true])
      expect(await Promise.all(tasks)).toEqual([0, 1, 2])
      expect(pool.freeCount).toBe(2)
    }))

  it('gevent Pool.wait_available gives blocking back-pressure to a producer', () =>
    withVirtualTime(async (clock) => {
      const pool = new Pool(1)
      pool.spawn(after(10, 1))
      expect(await settledState(Promise.resolve(pool.waitAvailable()))).toBe('pending')
      expect(await pool.waitAvailable()).toBe(1)
      expect(clock.now()).toBe(10)
      expect(await pool.waitAvailable({ timeout: 5 })).toBe(1)
    }))

  it('gevent Pool.wait_available(timeout) gives 0 when no slot frees in time', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const t = pool.spawn(after(100, 1))
      expect(await pool.waitAvailable({ timeout: 5 })).toBe(0)
      await t
    }))

  it('gevent Pool: a task killed while waiting for a slot never runs and frees its place', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const running = pool.spawn(after(10, 1))
      let ran = false
      const waiting = pool.spawn(() => {
        ran = true
      })
      await sleep(0)
      await waiting.kill()
      expect(pool.pending).toBe(0)
      await running
      await sleep(20)
      expect(ran).toBe(false)
      expect(waiting.state).toBe('cancelled')
    }))

  it('gevent Pool.imap runs at most size at once and yields in input order', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      let inFlight = 0
      let high = 0
      const out: number[] = []
      for await (const r of pool.imap(
        async (x: number) => {
          high = Math.max(high, ++inFlight)
          await sleep(50 - x * 10)
          inFlight--
          return x
        },
        [0, 1, 2, 3, 4],
      ))
        out.push(r)
      expect(out).toEqual([0, 1, 2, 3, 4])
      expect(high).toBe(2)
    }))

  it('gevent Pool.imap_unordered yields in completion order', () =>
    withVirtualTime(async () => {
      const pool = new Pool(3)
      const out: number[] = []
      for await (const r of pool.imapUnordered(
        async (ms: number) => {
          await sleep(ms)
          return ms
        },
        [30, 10, 20],
      ))
        out.push(r)
      expect(out).toEqual([10, 20, 30])
    }))

  it('gevent Pool.imap: a failure is raised when its position is reached; the rest are cancelled', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const got: number[] = []
      const job: MapFn<number, Promise<number>> = async (x, _i, signal) => {
        if (x === 2) throw new Error('item 2 failed')
        await sleep(10, { signal })
        return x
      }
      await expect(drainImap(pool, job, [0, 1, 2, 3, 4], got)).rejects.toThrow('item 2 failed')
      expect(got.length).toBeLessThanOrEqual(2)
      expect(pool.size).toBe(0)
    }))

  it('gevent Pool.imap: a slow first item failing while later workers wait for room raises its error', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const got: number[] = []
      // Items 1.. finish at once and fill the buffer; their workers park until item 0 is consumed,
      // which fails instead.
      const job: MapFn<number, Promise<number>> = async (x, _i, signal) => {
        if (x === 0) {
          await sleep(20, { signal })
          throw new Error('item 0 failed')
        }
        return x
      }
      const items = Array.from({ length: 20 }, (_, i) => i)
      await expect(drainImap(pool, job, items, got)).rejects.toThrow('item 0 failed')
      expect(got).toEqual([])
      expect(pool.size).toBe(0)
    }))

  it('map with returnExceptions keeps going, the error in its slot; onError skips the item', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const fn = async (x: number) => {
        await sleep(1)
        if (x === 1) throw new Error('odd one')
        return x
      }
      const r = await pool.map(fn, [0, 1, 2], { returnExceptions: true })
      expect(r[0]).toBe(0)
      expect(String(r[1])).toBe('Error: odd one')
      expect(r[2]).toBe(2)
      const errors: number[] = []
      expect(await pool.map(fn, [0, 1, 2], { onError: (_e, i) => errors.push(i) })).toEqual([0, 2])
      expect(errors).toEqual([1])
    }))

  it('imap pulls lazily: an endless source is fine and only a bounded number is pulled ahead', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      let pulled = 0
      function* naturals() {
        for (let i = 0; ; i++) {
          pulled++
          yield i
        }
      }
      const out: number[] = []
      for await (const r of pool.imap(async (x: number) => {
        await sleep(1)
        return x
      }, naturals())) {
        out.push(r)
        if (out.length === 10) break
      }
      expect(out).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
      expect(pulled).toBeLessThanOrEqual(10 + 2 * 2 + 2)
      expect(pool.size).toBe(0)
    }))

  it('map accepts an async iterable source', () =>
    withVirtualTime(async () => {
      async function* source() {
        for (let i = 0; i < 5; i++) {
          await sleep(1)
          yield i
        }
      }
      expect(await new Pool(2).map(async (x: number) => x * x, source())).toEqual([0, 1, 4, 9, 16])
    }))

  it('map over a pool shares its slots with spawned tasks', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      let inFlight = 0
      let high = 0
      const job = async () => {
        high = Math.max(high, ++inFlight)
        await sleep(5)
        inFlight--
      }
      pool.spawn(job)
      await pool.map(job, [1, 2, 3, 4])
      await pool.join()
      expect(high).toBe(2)
    }))

  it('p-queue: priority decides which waiting task starts next', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const order: string[] = []
      const job = (name: string) => () => {
        order.push(name)
      }
      pool.spawn(after(5, 0))
      pool.spawn(job('low'), { priority: 0 })
      pool.spawn(job('high'), { priority: 10 })
      pool.spawn(job('mid'), { priority: 5 })
      await pool.onIdle()
      expect(order).toEqual(['high', 'mid', 'low'])
    }))

  it('p-queue: pause stops starting tasks, resume starts them; onEmpty and onIdle', () =>
    withVirtualTime(async (clock) => {
      const pool = new Pool(1)
      pool.pause()
      const t = pool.spawn(after(10, 1))
      await sleep(50)
      expect(t.state).toBe('pending')
      pool.resume()
      await pool.onEmpty()
      expect(t.state).not.toBe('pending')
      await pool.onIdle()
      expect(clock.now()).toBe(60)
      expect(t.state).toBe('succeeded')
    }))

  it('p-queue: a rate limit starts at most N tasks per interval', () =>
    withVirtualTime(async (clock) => {
      const pool = new Pool({ size: 10, rateLimit: { limit: 2, intervalMs: 100 } })
      const startedAt: number[] = []
      for (let i = 0; i < 5; i++) pool.spawn(() => startedAt.push(clock.now()))
      await pool.onIdle()
      expect(startedAt).toEqual([0, 0, 100, 100, 200])
    }))

  it('gevent Pool.kill kills running and waiting tasks; waiting ones never run', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      let ran = 0
      const tasks: Task<unknown>[] = []
      for (let i = 0; i < 3; i++)
        tasks.push(
          pool.spawn(function* () {
            ran++
            yield* sleep(1000)
          }),
        )
      await sleep(1)
      expect(await pool.kill()).toBe(true)
      expect(ran).toBe(1)
      expect(tasks.map((t) => t.state)).toEqual(['cancelled', 'cancelled', 'cancelled'])
      expect([pool.running, pool.pending]).toEqual([0, 0])
    }))

  it('gevent Pool: bad sizes are refused with a RangeError', () => {
    expect(() => new Pool(0)).toThrow(RangeError)
    expect(() => new Pool(-2)).toThrow(/integer >= 1/)
    expect(new Pool(Infinity).freeCount).toBe(Infinity)
  })
})
