import { describe, expect, it } from 'vitest'
import { InvalidStateError, moveOnAfter, sleep, spawn, Timeout, TimeoutError, withTimeout } from 'verdant'
import { leakReport, withVirtualTime } from 'verdant/testing'

describe('conformance: timeouts', () => {
  it('gevent: the talk example: a 5 s Timeout interrupts join of a task that sleeps 10 s', () =>
    withVirtualTime(async (clock) => {
      const out: string[] = []
      const main = spawn(function* () {
        const timeout = new Timeout(5000).start()
        const sleeper = spawn(function* () {
          yield* sleep(10_000)
        })
        try {
          yield* sleeper.join()
        } catch (e) {
          if (e instanceof TimeoutError && e.timeout === timeout) out.push('Could not complete')
          else throw e
        }
        yield* sleeper.kill()
      })
      await main
      expect(out).toEqual(['Could not complete'])
      expect(clock.now()).toBe(5000)
    }))

  it('gevent: a Timeout is raised into an async task at the wait it has open through ctx', () =>
    withVirtualTime(async (clock) => {
      const t = spawn(async (ctx) => {
        const timeout = ctx.timeout(100)
        try {
          await ctx.sleep(1000)
          return 'slept'
        } catch (e) {
          return e instanceof TimeoutError && e.timeout === timeout ? 'timed out' : 'other'
        }
      })
      expect(await t).toBe('timed out')
      expect(clock.now()).toBe(100)
    }))

  it('gevent: the task can catch its Timeout and carry on', () =>
    withVirtualTime(async () => {
      const t = spawn(function* () {
        const timeout = new Timeout(10).start()
        try {
          yield* sleep(100)
        } catch (e) {
          if (!(e instanceof TimeoutError)) throw e
        }
        expect(timeout.expired).toBe(true)
        yield* sleep(5)
        return 'carried on'
      })
      expect(await t).toBe('carried on')
    }))

  it('gevent: a cancelled or disposed Timeout leaves no timer and never fires', () =>
    withVirtualTime(async () => {
      const t = spawn(function* () {
        const a = new Timeout(10).start()
        a.cancel()
        {
          using _b = new Timeout(10).start()
        }
        expect(leakReport().timers).toBe(0)
        yield* sleep(50)
        return 'not interrupted'
      })
      expect(await t).toBe('not interrupted')
    }))

  it('gevent: Timeout(undefined) never fires; starting a pending Timeout is an error', () =>
    withVirtualTime(async () => {
      const t = spawn(function* () {
        new Timeout(undefined).start()
        const p = new Timeout(10).start()
        expect(() => p.start()).toThrow(InvalidStateError)
        p.cancel()
        yield* sleep(20)
        return 'ok'
      })
      expect(await t).toBe('ok')
      expect(() => new Timeout(10).start()).toThrow(/needs a task to raise in/)
    }))

  it('gevent: a Timeout dies with its task: no timer outlives it', async () => {
    const t = spawn(function* () {
      new Timeout(60_000).start()
      yield* sleep(0)
    })
    await t
    expect(leakReport().timers).toBe(0)
  })

  it('asyncio wait_for: withTimeout rejects the moment time is up and aborts the signal it gave', () =>
    withVirtualTime(async (clock) => {
      let aborted: unknown
      const p = withTimeout(100, async ({ signal }) => {
        signal.addEventListener('abort', () => (aborted = signal.reason as unknown))
        await new Promise(() => undefined)
      })
      const err = await p.catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TimeoutError)
      expect(aborted).toBe(err)
      expect(clock.now()).toBe(100)
    }))

  it('asyncio wait_for: a verdant wait inside withTimeout stops through the signal', () =>
    withVirtualTime(async (clock) => {
      let inner: unknown
      await expect(
        withTimeout(50, async ({ signal }) => {
          try {
            await sleep(10_000, { signal })
          } catch (e) {
            inner = e
            throw e
          }
        }),
      ).rejects.toBeInstanceOf(TimeoutError)
      await sleep(0)
      expect(inner).toBeInstanceOf(TimeoutError)
      expect(clock.now()).toBe(50)
    }))

  it('asyncio wait_for: a result that arrives in time wins and the timer is gone', () =>
    withVirtualTime(async () => {
      expect(await withTimeout(100, () => sleep(10).then(() => 'in time'))).toBe('in time')
      expect(leakReport().timers).toBe(0)
      expect(await withTimeout(100, () => 'sync value')).toBe('sync value')
    }))

  it('asyncio wait_for: a timeout racing completion at the same instant resolves exactly once', () =>
    withVirtualTime(async () => {
      const results = await Promise.allSettled([
        withTimeout(10, () => sleep(10).then(() => 'value')),
        withTimeout(10, async ({ signal }) => {
          await sleep(10, { signal })
          return 'value'
        }),
      ])
      for (const r of results) {
        expect(r.status === 'fulfilled' ? r.value : (r.reason as Error).name).toMatch(
          /^(value|TimeoutError)$/,
        )
      }
    }))

  it('trio move_on_after: moveOnAfter resolves undefined on its own expiry', () =>
    withVirtualTime(async () => {
      expect(await moveOnAfter(10, () => sleep(100))).toBeUndefined()
      expect(await moveOnAfter(100, () => sleep(10).then(() => 7))).toBe(7)
    }))

  it('gevent "not my timeout": an inner moveOnAfter never swallows the outer expiry', () =>
    withVirtualTime(async (clock) => {
      const err = await withTimeout(50, ({ signal }) =>
        moveOnAfter(100, () => sleep(1000, { signal }), { signal }).then(() => 'inner moved on'),
      ).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(TimeoutError)
      expect(clock.now()).toBe(50)
    }))

  it('gevent "not my timeout": nested Timeouts in one task each raise their own', () =>
    withVirtualTime(async () => {
      const t = spawn(function* () {
        const outer = new Timeout(50).start()
        try {
          const inner = new Timeout(100).start()
          try {
            yield* sleep(1000)
          } catch (e) {
            if (e instanceof TimeoutError && e.timeout === inner) return 'inner'
            throw e
          } finally {
            inner.cancel()
          }
        } catch (e) {
          if (e instanceof TimeoutError && e.timeout === outer) return 'outer'
          throw e
        }
        return 'none'
      })
      expect(await t).toBe('outer')
    }))

  it('trio fail_after: withTimeout kills a generator body as a task at expiry', () =>
    withVirtualTime(async () => {
      const out: string[] = []
      await expect(
        withTimeout(20, function* () {
          try {
            yield* sleep(1000)
          } finally {
            out.push('generator cleaned up')
          }
        }),
      ).rejects.toBeInstanceOf(TimeoutError)
      await sleep(0)
      expect(out).toEqual(['generator cleaned up'])
    }))

  it('asyncio: an outer signal aborting withTimeout rejects with its reason', async () => {
    const ac = new AbortController()
    const p = withTimeout(10_000, () => new Promise(() => undefined), { signal: ac.signal })
    ac.abort(new Error('outer stop'))
    await expect(p).rejects.toThrow('outer stop')
  })

  it('validates: a bad ms is a RangeError naming the value', () => {
    expect(() => withTimeout(-5, () => 1)).toThrow(
      /Expected `ms` to be a number of milliseconds >= 0, got `-5`/,
    )
    expect(() => new Timeout(Number.NaN)).toThrow(RangeError)
  })
})
