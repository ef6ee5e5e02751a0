import { describe, expect, it } from 'vitest'
import {
  asCompleted,
  CancelledError,
  Future,
  gather,
  shield,
  sleep,
  spawn,
  TimeoutError,
  wait,
} from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'
import { takeUnobserved } from '../helpers/setup.js'
import { turn } from '../helpers/util.js'

const after = <T>(ms: number, value: T) =>
  spawn(function* () {
    yield* sleep(ms)
    return value
  })
const failAfter = (ms: number, error: Error) =>
  spawn(function* () {
    yield* sleep(ms)
    throw error
  })

describe('conformance: futures', () => {
  it('asyncio: as_completed yields the original tasks in completion order', () =>
    withVirtualTime(async () => {
      const a = after(30, 'a')
      const b = after(10, 'b')
      const c = after(20, 'c')
      const seen = []
      for await (const f of asCompleted([a, b, c])) seen.push(f)
      expect(seen).toEqual([b, c, a])
    }))

  it('concurrent.futures: as_completed yields failed and cancelled futures too', () =>
    withVirtualTime(async () => {
      const f = new Future<number>()
      const bad = failAfter(5, new Error('x'))
      f.cancel()
      const states = []
      for await (const x of asCompleted([f, bad])) states.push(x.state)
      expect(states).toEqual(['cancelled', 'failed'])
    }))

  it('asyncio: as_completed raises TimeoutError when the whole iteration overruns', () =>
    withVirtualTime(async (clock) => {
      const fast = after(10, 1)
      const slow = after(1000, 2)
      const got: unknown[] = []
      const err = await (async () => {
        for await (const f of asCompleted([fast, slow], { timeout: 50 })) got.push(f.result())
      })().catch((e: unknown) => e)
      expect(got).toEqual([1])
      expect(err).toBeInstanceOf(TimeoutError)
      expect(clock.now()).toBe(50)
      await slow.kill()
    }))

  it('asyncio: breaking out of as_completed removes its callbacks', () =>
    withVirtualTime(async () => {
      const a = after(10, 1)
      const b = after(20, 2)
      for await (const f of asCompleted([a, b])) {
        expect(f).toBe(a)
        break
      }
      await b
    }))

  it('asyncio wait: ALL_COMPLETED returns every future in done', () =>
    withVirtualTime(async () => {
      const a = after(10, 1)
      const b = failAfter(20, new Error('x'))
      const { done, pending } = await wait([a, b])
      expect([...done]).toEqual([a, b])
      expect(pending.size).toBe(0)
    }))

  it('asyncio wait: FIRST_COMPLETED returns after the first, nothing cancelled', () =>
    withVirtualTime(async () => {
      const a = after(10, 1)
      const b = after(20, 2)
      const { done, pending } = await wait([a, b], { returnWhen: 'FIRST_COMPLETED' })
      expect([...done]).toEqual([a])
      expect([...pending]).toEqual([b])
      expect(b.state).toBe('running')
      await b
    }))

  it('asyncio wait: FIRST_EXCEPTION returns at the first failure, else waits for all', () =>
    withVirtualTime(async () => {
      const ok = after(50, 1)
      const bad = failAfter(10, new Error('x'))
      const r1 = await wait([ok, bad], { returnWhen: 'FIRST_EXCEPTION' })
      expect([...r1.done]).toEqual([bad])
      const r2 = await wait([ok], { returnWhen: 'FIRST_EXCEPTION' })
      expect([...r2.done]).toEqual([ok])
    }))

  it('asyncio wait: a timeout returns {done, pending} without raising or cancelling', () =>
    withVirtualTime(async () => {
      const slow = after(100, 1)
      const { done, pending } = await wait([slow], { timeout: 10 })
      expect(done.size).toBe(0)
      expect([...pending]).toEqual([slow])
      expect(slow.state).toBe('running')
      await slow
    }))

  describe('wait: done holds every future that is done when it returns (a cancelled one is done)', () => {
    const settled = () => {
      const cancelled = new Future<number>()
      cancelled.cancel()
      const finished = new Future<number>()
      finished.setResult(1)
      return { cancelled, finished, pending: new Future<number>() }
    }
    const failedFuture = () => {
      const failed = new Future<number>()
      failed.setException(new Error('x'))
      return failed
    }

    it('FIRST_COMPLETED: futures already done all go to done', async () => {
      const { cancelled, finished, pending } = settled()
      const { done, pending: rest } = await wait([cancelled, finished, pending], {
        returnWhen: 'FIRST_COMPLETED',
      })
      expect([...done]).toEqual([cancelled, finished])
      expect([...rest]).toEqual([pending])
    })

    it('FIRST_EXCEPTION: a failure already there returns at once with every done future', async () => {
      const { cancelled, finished, pending } = settled()
      const failed = failedFuture()
      const fs = [finished, failed, cancelled, pending]
      const { done, pending: rest } = await wait(fs, { returnWhen: 'FIRST_EXCEPTION' })
      expect([...done]).toEqual([finished, failed, cancelled])
      expect([...rest]).toEqual([pending])
    })

    it('FIRST_EXCEPTION: a cancelled future is done but not an exception, so it waits on', async () => {
      const { cancelled, pending } = settled()
      const w = Promise.resolve(wait([cancelled, pending], { returnWhen: 'FIRST_EXCEPTION' }))
      expect(await settledState(w)).toBe('pending')
      pending.setResult(2)
      const { done, pending: rest } = await w
      expect([...done]).toEqual([cancelled, pending])
      expect(rest.size).toBe(0)
    })

    it('ALL_COMPLETED: futures done before and after the call all end in done', async () => {
      const { cancelled, pending } = settled()
      const failed = failedFuture()
      const w = Promise.resolve(wait([pending, cancelled, failed]))
      pending.setResult(3)
      const { done, pending: rest } = await w
      expect([...done]).toEqual([pending, cancelled, failed])
      expect(rest.size).toBe(0)
    })

    it('FIRST_COMPLETED: futures that complete in the same tick as the first are all in done', async () => {
      const a = new Future<number>()
      const b = new Future<number>()
      const c = new Future<number>()
      const w = Promise.resolve(wait([a, b, c], { returnWhen: 'FIRST_COMPLETED' }))
      await turn()
      b.setResult(1)
      a.cancel()
      const { done, pending } = await w
      expect([...done]).toEqual([a, b])
      expect([...pending]).toEqual([c])
    })

    it('FIRST_EXCEPTION: a success in the same tick as the failure is in done too', async () => {
      const a = new Future<number>()
      const b = new Future<number>()
      const c = new Future<number>()
      const w = Promise.resolve(wait([a, b, c], { returnWhen: 'FIRST_EXCEPTION' }))
      await turn()
      b.setException(new Error('x'))
      c.setResult(1)
      const { done, pending } = await w
      expect([...done]).toEqual([b, c])
      expect([...pending]).toEqual([a])
    })

    it('a timeout returns every future done by then', () =>
      withVirtualTime(async () => {
        const { finished } = settled()
        const slow = after(100, 1)
        const soon = after(5, 2)
        const { done, pending } = await wait([finished, soon, slow], { timeout: 10 })
        expect([...done]).toEqual([finished, soon])
        expect([...pending]).toEqual([slow])
        await slow
      }))

    it('a wait abandoned in the tick it was satisfied resumes nothing and leaves no callback', async () => {
      const a = new Future<number>()
      const b = new Future<number>()
      const ac = new AbortController()
      const w = Promise.resolve(wait([a, b], { returnWhen: 'FIRST_COMPLETED', signal: ac.signal }))
      await turn()
      a.setResult(1)
      ac.abort(new CancelledError('gone'))
      await expect(w).rejects.toBeInstanceOf(CancelledError)
      b.setResult(2)
    })
  })

  it('asyncio wait: an empty set is a RangeError', () => {
    expect(() => wait([])).toThrow(RangeError)
    expect(() => wait([new Future()], { returnWhen: 'SOMETIMES' as never })).toThrow(/returnWhen/)
  })

  it('asyncio gather: results in the order given, whatever the completion order', () =>
    withVirtualTime(async () => {
      const [x, y, z] = await gather([after(30, 'x'), after(10, 2), Promise.resolve(true)])
      expect([x, y, z]).toEqual(['x', 2, true])
    }))

  it('gather: the first failure rejects at once and cancels the rest (unlike asyncio)', () =>
    withVirtualTime(async (clock) => {
      const boom = new Error('boom')
      const slow = after(1000, 'slow')
      await expect(gather([after(5, 'ok'), failAfter(10, boom), slow])).rejects.toBe(boom)
      expect(clock.now()).toBe(10)
      await slow.join()
      expect(slow.state).toBe('cancelled')
    }))

  it('asyncio gather(return_exceptions=True): errors in their slots, nothing cancelled', () =>
    withVirtualTime(async () => {
      const boom = new Error('boom')
      const r = await gather([after(5, 1), failAfter(10, boom), after(20, 3)], { returnExceptions: true })
      expect(r).toEqual([1, boom, 3])
    }))

  it('asyncio shield: cancelling the outer does not cancel the inner', () =>
    withVirtualTime(async () => {
      const inner = after(50, 'saved')
      const outer = shield(inner)
      outer.cancel()
      await expect(outer).rejects.toBeInstanceOf(CancelledError)
      expect(await inner).toBe('saved')
    }))

  it('asyncio shield: the inner being cancelled cancels the outer; its value passes through', async () => {
    const inner = new Future<number>()
    const outer = shield(inner)
    inner.cancel()
    expect(outer.cancelled).toBe(true)
    const inner2 = new Future<number>()
    const outer2 = shield(inner2)
    inner2.setResult(5)
    expect(await outer2).toBe(5)
    await expect(outer).rejects.toBeInstanceOf(CancelledError)
  })

  it('asyncio shield: a shielded failure nobody waits for any more is still reported', async () => {
    const inner = new Future<number>()
    const outer = shield(inner)
    outer.cancel()
    await outer.join()
    inner.setException(new Error('after the waiter left'))
    await turn()
    expect(takeUnobserved().map((f) => String(f.error))).toEqual(['Error: after the waiter left'])
  })

  it('asyncio: a task killed while awaiting a shielded task leaves the inner running', () =>
    withVirtualTime(async () => {
      const inner = after(100, 'done anyway')
      const waiter = spawn(async (ctx) => ctx.call(shield(inner)))
      await sleep(10)
      await waiter.kill()
      expect(waiter.state).toBe('cancelled')
      expect(await inner).toBe('done anyway')
    }))
})
