import { describe, expect, it } from 'vitest'
import {
  call,
  CancelledError,
  Condition,
  killAll,
  Pool,
  Queue,
  sleep,
  spawn,
  Timeout,
  TimeoutError,
} from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'

describe('conformance: paths that combine mechanisms', () => {
  it('asyncio Condition: a wait abandoned through its signal also takes the lock back before rejecting', async () => {
    const cond = new Condition()
    const ac = new AbortController()
    const held = await cond.lock.acquire()
    const wait = Promise.resolve(cond.wait({ signal: ac.signal }))
    await sleep(0)
    expect(cond.lock.locked).toBe(false) // the wait released it
    const other = await cond.lock.acquire() // someone else takes it
    ac.abort(new CancelledError('give up'))
    expect(await settledState(wait)).toBe('pending') // cannot reject before it holds the lock again
    other.release()
    await expect(wait).rejects.toBeInstanceOf(CancelledError)
    expect(cond.lock.locked).toBe(true) // held again for the waiter, whose guard releases it
    held.release()
    expect(cond.lock.locked).toBe(false)
  })

  it('a generator body may wait through ctx.call; a kill rejects that wait too', async () => {
    let caught: unknown
    const t = spawn(function* (ctx) {
      try {
        yield* call(ctx.sleep(60_000))
      } catch (e) {
        caught = e
        throw e
      }
    })
    await sleep(0)
    await t.kill()
    expect(t.state).toBe('cancelled')
    expect(caught).toBeInstanceOf(CancelledError)
  })

  it('gevent killall(timeout) resolves false while a task ignores its kill, true once it ends', () =>
    withVirtualTime(async () => {
      const stubborn = spawn(async () => {
        await new Promise((r) => setTimeout(r, 20))
      })
      await sleep(0)
      expect(await killAll([stubborn], { timeout: 5 })).toBe(false)
      expect(await killAll([stubborn])).toBe(true)
    }))

  it('a kill reaches a generator parked on one op while it has a ctx wait open elsewhere', () =>
    withVirtualTime(async (clock) => {
      const t = spawn(function* (ctx) {
        const side = ctx.sleep(60_000) // a wait the body started but does not yield on
        side.catch(() => undefined)
        yield* sleep(10_000)
        return 'not killed'
      })
      await sleep(1)
      await t.kill()
      expect(t.state).toBe('cancelled')
      expect(clock.now()).toBe(1)
    }))

  it('gevent Pool.kill during map: the map rejects with the kill, never resolves with holes', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const seen: number[] = []
      const mapped = pool.map(
        async (x: number, _i, signal) => {
          seen.push(x)
          await sleep(10, { signal })
          return x
        },
        [1, 2, 3, 4, 5, 6],
      )
      mapped.catch(() => undefined)
      await sleep(15)
      await pool.kill()
      await expect(mapped).rejects.toBeInstanceOf(CancelledError)
      expect(seen.length).toBeLessThan(6)
      expect(pool.size).toBe(0)
    }))

  it('a map whose workers are killed while waiting for a slot rejects instead of resolving empty', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const hog = pool.spawn(async (ctx) => ctx.sleep(1000))
      const mapped = pool.map(async (x: number) => x, [1, 2, 3])
      mapped.catch(() => undefined)
      await sleep(1)
      await pool.kill()
      await expect(mapped).rejects.toBeInstanceOf(CancelledError)
      expect(hog.state).toBe('cancelled')
    }))

  it('a killed map worker whose job ignores the signal stops after that job', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const started: number[] = []
      const mapped = pool.map(
        async (x: number) => {
          started.push(x)
          await sleep(10) // not bound to the worker: runs to its end
          return x
        },
        [1, 2, 3, 4, 5, 6],
      )
      mapped.catch(() => undefined)
      await sleep(5)
      await pool.kill()
      await expect(mapped).rejects.toBeInstanceOf(CancelledError)
      expect(started).toEqual([1, 2])
    }))

  it('gevent Timeout into a generator parked in Condition.wait arrives once the lock is held again', () =>
    withVirtualTime(async (clock) => {
      const cond = new Condition()
      let lockedWhenRaised: boolean | undefined
      const t = spawn(function* () {
        const held = yield* cond.lock.acquire()
        const timeout = new Timeout(10).start()
        try {
          yield* cond.wait()
        } catch (e) {
          lockedWhenRaised = cond.lock.locked
          if (!(e instanceof TimeoutError && e.timeout === timeout)) throw e
          return clock.now()
        } finally {
          timeout.cancel()
          held.release()
        }
        return -1
      })
      await sleep(5)
      const other = await cond.lock.acquire() // held by someone else when the timeout fires
      await sleep(20)
      expect(t.state).toBe('running')
      other.release()
      expect(await t).toBe(25)
      expect(lockedWhenRaised).toBe(true)
      expect(cond.lock.locked).toBe(false)
    }))

  it('threading Condition.wait_for(timeout) gives false after the time, with the lock held', () =>
    withVirtualTime(async (clock) => {
      const cond = new Condition()
      const held = await cond.lock.acquire()
      expect(await cond.waitFor(() => false, { timeout: 30 })).toBe(false)
      expect(clock.now()).toBe(30)
      expect(cond.lock.locked).toBe(true)
      held.release()
    }))

  it('a task looping over queue.iterate({signal: ctx.signal}) is killable and leaves no getter', async () => {
    const q = new Queue<number>()
    const got: number[] = []
    const consumer = spawn(async (ctx) => {
      for await (const x of q.iterate({ signal: ctx.signal })) got.push(x)
    })
    q.putNowait(1)
    await sleep(0)
    await consumer.kill()
    expect(consumer.state).toBe('cancelled')
    expect(got).toEqual([1])
    expect(q.stats().getters).toBe(0)
  })

  it('a task consuming pool.imap(..., {signal: ctx.signal}) is killable; the workers stop too', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const got: number[] = []
      const consumer = spawn(async (ctx) => {
        for await (const r of pool.imap(
          async (x: number, _i, signal) => {
            await sleep(10, { signal })
            return x
          },
          [1, 2, 3, 4, 5, 6],
          { signal: ctx.signal },
        ))
          got.push(r)
      })
      await sleep(15)
      await consumer.kill()
      expect(consumer.state).toBe('cancelled')
      expect(got.length).toBeLessThan(6)
      await pool.join()
      expect(pool.size).toBe(0)
    }))

  it('killing a rate-limited pool with jobs waiting for the rate leaves no timer behind', () =>
    withVirtualTime(async () => {
      const pool = new Pool({ size: 4, rateLimit: { limit: 1, intervalMs: 1000 } })
      let ran = 0
      for (let i = 0; i < 5; i++)
        pool.spawn(() => {
          ran++
        })
      await sleep(1)
      expect(ran).toBe(1)
      expect(pool.pending).toBe(4)
      await pool.kill()
      expect([pool.pending, pool.running, ran]).toEqual([0, 0, 1])
    }))

  it('a paused pool resumed later starts its waiting tasks in priority order', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const order: number[] = []
      pool.pause()
      for (const p of [1, 3, 2]) pool.spawn(() => order.push(p), { priority: p })
      await sleep(100)
      expect(order).toEqual([])
      pool.resume()
      await pool.onIdle()
      expect(order).toEqual([3, 2, 1])
    }))
})
