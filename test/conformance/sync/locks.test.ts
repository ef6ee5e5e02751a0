import { describe, expect, it } from 'vitest'
import {
  BoundedSemaphore,
  CancelledError,
  InvalidStateError,
  Lock,
  Semaphore,
  sleep,
  spawn,
  TimeoutError,
} from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'

// One behavioural suite for every lock-like primitive (trio's generic_lock_test).
const LOCKS: [string, () => Semaphore][] = [
  ['Lock', () => new Lock()],
  ['Semaphore(1)', () => new Semaphore(1)],
  ['BoundedSemaphore(1)', () => new BoundedSemaphore(1)],
]

for (const [name, make] of LOCKS) {
  describe(`conformance: ${name}`, () => {
    it('asyncio Lock: acquire is immediate when free; a second acquire waits', async () => {
      const lock = make()
      const p1 = await lock.acquire()
      expect(lock.locked).toBe(true)
      const second = Promise.resolve(lock.acquire())
      expect(await settledState(second)).toBe('pending')
      p1.release()
      const p2 = await second
      expect(lock.locked).toBe(true)
      p2.release()
      expect(lock.locked).toBe(false)
    })

    it('asyncio Lock: waiters are served first come, first served', async () => {
      const lock = make()
      const order: number[] = []
      const first = await lock.acquire()
      const waiters = [1, 2, 3].map((i) =>
        spawn(async () => {
          const p = await lock.acquire()
          order.push(i)
          await sleep(0)
          p.release()
        }),
      )
      await sleep(0)
      first.release()
      await Promise.all(waiters)
      expect(order).toEqual([1, 2, 3])
    })

    it('gevent: acquire({timeout}) raises TimeoutError and leaves no waiter behind', () =>
      withVirtualTime(async (clock) => {
        const lock = make()
        const held = await lock.acquire()
        await expect(lock.acquire({ timeout: 50 })).rejects.toBeInstanceOf(TimeoutError)
        expect(clock.now()).toBe(50)
        expect(lock.stats().waiting).toBe(0)
        held.release()
        expect(lock.locked).toBe(false)
      }))

    it('asyncio: a waiter killed before the grant takes nothing; the next waiter gets it', async () => {
      const lock = make()
      const held = await lock.acquire()
      const victim = spawn(async (ctx) => ctx.call(lock.acquire()))
      const next = spawn(async (ctx) => {
        const p = await ctx.call(lock.acquire())
        p.release()
        return 'got it'
      })
      await sleep(0)
      await victim.kill()
      expect(lock.stats().waiting).toBe(1)
      held.release()
      expect(await next).toBe('got it')
      expect(lock.locked).toBe(false)
    })

    it('asyncio: an aborted signal rejects the acquire with its reason', async () => {
      const lock = make()
      const held = await lock.acquire()
      const ac = new AbortController()
      const p = Promise.resolve(lock.acquire({ signal: ac.signal }))
      ac.abort(new CancelledError('stop'))
      await expect(p).rejects.toBeInstanceOf(CancelledError)
      expect(lock.stats().waiting).toBe(0)
      held.release()
    })

    it('using releases the permit at the end of the block, once', async () => {
      const lock = make()
      {
        using permit = await lock.acquire()
        expect(lock.locked).toBe(true)
        permit.release()
        expect(lock.locked).toBe(false)
      }
      expect(lock.locked).toBe(false)
      expect(lock.value).toBe(1)
    })

    it('run(fn) holds the lock while fn runs and releases it when fn throws', async () => {
      const lock = make()
      await expect(
        lock.run(async () => {
          expect(lock.locked).toBe(true)
          throw new Error('inside')
        }),
      ).rejects.toThrow('inside')
      expect(lock.locked).toBe(false)
      expect(await lock.run(() => 7)).toBe(7)
    })

    it('gevent: a generator task parked in acquire is killable at the yield', async () => {
      const lock = make()
      const held = await lock.acquire()
      const t = spawn(function* () {
        const p = yield* lock.acquire()
        p.release()
      })
      await sleep(0)
      await t.kill()
      expect(t.state).toBe('cancelled')
      expect(lock.stats().waiting).toBe(0)
      held.release()
    })
  })
}

describe('conformance: Semaphore and BoundedSemaphore', () => {
  it('gevent Semaphore(n): n acquire at once, the n+1th waits', async () => {
    const sem = new Semaphore(3)
    const ps = [await sem.acquire(), await sem.acquire(), await sem.acquire()]
    expect(sem.value).toBe(0)
    expect(sem.tryAcquire()).toBeUndefined()
    for (const p of ps) p.release()
    expect(sem.value).toBe(3)
  })

  it('gevent BoundedSemaphore: releasing too often throws', () => {
    const sem = new BoundedSemaphore(2)
    expect(() => sem.release()).toThrow(InvalidStateError)
    expect(() => sem.release()).toThrow(/released too many times/)
  })

  it('asyncio Lock: releasing an unlocked Lock throws', () => {
    expect(() => new Lock().release()).toThrow(/not locked/)
  })

  it('a plain Semaphore may be released above its start (gevent)', () => {
    const sem = new Semaphore(0)
    sem.release()
    expect(sem.value).toBe(1)
  })

  it('a late tryAcquire never overtakes a waiter (FIFO)', async () => {
    const sem = new Semaphore(1)
    const held = await sem.acquire()
    const waiter = spawn(async (ctx) => ctx.call(sem.acquire()))
    await sleep(0)
    held.release() // handed straight to the waiter
    expect(sem.tryAcquire()).toBeUndefined()
    ;(await waiter).release()
  })

  it('rejects a bad count with a RangeError naming it', () => {
    expect(() => new Semaphore(-1)).toThrow(/`value` to be an integer >= 0, got `-1`/)
    expect(() => new Semaphore(1.5)).toThrow(RangeError)
  })
})
