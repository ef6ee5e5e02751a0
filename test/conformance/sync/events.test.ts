import { describe, expect, it } from 'vitest'
import {
  AsyncResult,
  Barrier,
  BrokenBarrierError,
  Condition,
  Event,
  InvalidStateError,
  Lock,
  sleep,
  spawn,
  TimeoutError,
} from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'

describe('conformance: Event', () => {
  it('gevent Event: wait blocks until set, then returns true at once', async () => {
    const ev = new Event()
    const w = Promise.resolve(ev.wait())
    expect(await settledState(w)).toBe('pending')
    ev.set()
    expect(await w).toBe(true)
    expect(ev.isSet).toBe(true)
    expect(await ev.wait()).toBe(true)
  })

  it('gevent Event: a waiter sees true even if clear() follows set() at once', async () => {
    const ev = new Event()
    const w = spawn(async (ctx) => ctx.call(ev.wait()))
    await sleep(0)
    ev.set()
    ev.clear()
    expect(await w).toBe(true)
    expect(ev.isSet).toBe(false)
  })

  it('gevent Event: wait({timeout}) returns false and leaves no waiter', () =>
    withVirtualTime(async (clock) => {
      const ev = new Event()
      expect(await ev.wait({ timeout: 30 })).toBe(false)
      expect(clock.now()).toBe(30)
      expect(ev.stats().waiting).toBe(0)
    }))

  it('asyncio Event: a waiting task killed leaves the waiter list', async () => {
    const ev = new Event()
    const t = spawn(async (ctx) => ctx.call(ev.wait()))
    await sleep(0)
    expect(ev.stats().waiting).toBe(1)
    await t.kill()
    expect(ev.stats().waiting).toBe(0)
  })
})

describe('conformance: AsyncResult', () => {
  it('gevent AsyncResult: set(value) wakes every getter with the value', async () => {
    const r = new AsyncResult<number>()
    const getters = [r.get(), r.get()].map((g) => Promise.resolve(g))
    expect(r.ready).toBe(false)
    r.set(42)
    expect(await Promise.all(getters)).toEqual([42, 42])
    expect([r.ready, r.successful, r.value, r.exception]).toEqual([true, true, 42, undefined])
  })

  it('gevent AsyncResult: setException makes get throw and wait return undefined', async () => {
    const r = new AsyncResult<number>()
    const err = new Error('bad')
    r.setException(err)
    await expect(r.get()).rejects.toBe(err)
    expect(await r.wait()).toBeUndefined()
    expect(r.successful).toBe(false)
    expect(r.exception).toBe(err)
  })

  it('gevent AsyncResult: get({timeout}) raises TimeoutError, wait({timeout}) gives undefined', () =>
    withVirtualTime(async () => {
      const r = new AsyncResult<string>()
      await expect(r.get({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError)
      expect(await r.wait({ timeout: 10 })).toBeUndefined()
      r.set('late')
      expect(await r.wait()).toBe('late')
    }))

  it('gevent AsyncResult: it is set once', () => {
    const r = new AsyncResult<number>()
    r.set(1)
    expect(() => r.set(2)).toThrow(InvalidStateError)
  })
})

describe('conformance: Condition', () => {
  it('asyncio Condition: notify wakes one waiter, which holds the lock again when it returns', async () => {
    const cond = new Condition()
    const events: string[] = []
    const waiter = spawn(async () => {
      const p = await cond.lock.acquire()
      events.push('waiting')
      expect(await cond.wait()).toBe(true)
      events.push(`woke, locked=${String(cond.lock.locked)}`)
      p.release()
    })
    await sleep(0)
    const p = await cond.lock.acquire()
    cond.notify()
    events.push('notified')
    p.release()
    await waiter
    expect(events).toEqual(['waiting', 'notified', 'woke, locked=true'])
    expect(cond.lock.locked).toBe(false)
  })

  it('asyncio Condition: notify(n) wakes n waiters in order; notifyAll wakes the rest', async () => {
    const cond = new Condition()
    const woke: number[] = []
    const waiters = [1, 2, 3].map((i) =>
      spawn(async () => {
        const p = await cond.lock.acquire()
        await cond.wait()
        woke.push(i)
        p.release()
      }),
    )
    await sleep(0)
    let p = await cond.lock.acquire()
    cond.notify(2)
    p.release()
    await sleep(0)
    expect(woke).toEqual([1, 2])
    p = await cond.lock.acquire()
    cond.notifyAll()
    p.release()
    await Promise.all(waiters)
    expect(woke).toEqual([1, 2, 3])
  })

  it('asyncio Condition: waitFor(predicate) re-checks after every notification', async () => {
    const cond = new Condition()
    let n = 0
    const waiter = spawn(async () => {
      const p = await cond.lock.acquire()
      await cond.waitFor(() => n >= 3)
      p.release()
      return n
    })
    for (let i = 0; i < 3; i++) {
      await sleep(0)
      const p = await cond.lock.acquire()
      n++
      cond.notifyAll()
      p.release()
    }
    expect(await waiter).toBe(3)
  })

  it('asyncio Condition: a cancelled wait takes the lock back before it raises', async () => {
    const cond = new Condition()
    let lockedInCatch: boolean | undefined
    const waiter = spawn(async (ctx) => {
      const p = await ctx.call(cond.lock.acquire())
      try {
        await ctx.call(cond.wait())
      } catch (e) {
        lockedInCatch = cond.lock.locked
        throw e
      } finally {
        p.release()
      }
    })
    await sleep(0)
    const other = await cond.lock.acquire() // another task holds the lock during the kill
    const killed = waiter.kill()
    expect(await settledState(Promise.resolve(killed))).toBe('pending')
    other.release()
    expect(await killed).toBe(true)
    expect(lockedInCatch).toBe(true)
    expect(cond.lock.locked).toBe(false)
  })

  it('threading Condition: wait({timeout}) returns false with the lock held again', () =>
    withVirtualTime(async (clock) => {
      const cond = new Condition()
      const p = await cond.lock.acquire()
      expect(await cond.wait({ timeout: 25 })).toBe(false)
      expect(cond.lock.locked).toBe(true)
      expect(clock.now()).toBe(25)
      p.release()
    }))

  it('asyncio Condition: wait and notify without the lock raise', async () => {
    const cond = new Condition(new Lock())
    await expect(cond.wait()).rejects.toBeInstanceOf(InvalidStateError)
    expect(() => cond.notify()).toThrow(InvalidStateError)
  })
})

describe('conformance: Condition is its own lock', () => {
  // The asyncio docs' pattern, with `async with cond:` written as `using _ = await cond.acquire()`.
  async function consumer(cond: Condition, items: number[]): Promise<number> {
    using _ = await cond.acquire()
    await cond.waitFor(() => items.length > 0)
    return items.shift() as number
  }
  async function producer(cond: Condition, items: number[], item: number): Promise<void> {
    using _ = await cond.acquire()
    items.push(item)
    cond.notify()
  }

  it('asyncio Condition: the producer/consumer pattern runs unchanged', async () => {
    const cond = new Condition()
    const items: number[] = []
    const consumers = [0, 1, 2].map(() => spawn(() => consumer(cond, items)))
    await sleep(0)
    expect(cond.locked).toBe(false)
    for (const item of [10, 20, 30]) await producer(cond, items, item)
    expect(await Promise.all(consumers)).toEqual([10, 20, 30])
    expect(cond.locked).toBe(false)
    expect(cond.lock.stats()).toEqual({ value: 1, waiting: 0 })
  })

  it('asyncio Condition: acquire/release/locked act on its lock, also one passed in', async () => {
    const lock = new Lock()
    const cond = new Condition(lock)
    await cond.acquire()
    expect([cond.locked, lock.locked]).toEqual([true, true])
    const second = Promise.resolve(cond.acquire())
    expect(await settledState(second)).toBe('pending')
    cond.release()
    ;(await second).release()
    expect([cond.locked, lock.locked]).toEqual([false, false])
    expect(() => cond.release()).toThrow(InvalidStateError)
  })

  it('gevent: a generator task holds the condition with using and waits on it', async () => {
    const cond = new Condition()
    let ready = false
    const waiter = spawn(function* () {
      using _ = yield* cond.acquire()
      const notified = yield* cond.waitFor(() => ready)
      return [notified, cond.locked]
    })
    await sleep(0)
    {
      using _ = await cond.acquire()
      ready = true
      cond.notifyAll()
    }
    expect(await waiter).toEqual([true, true])
    expect(cond.locked).toBe(false)
  })

  it('a killed acquire leaves no waiter, and the next acquire gets the lock', async () => {
    const cond = new Condition()
    const held = await cond.acquire()
    const victim = spawn(async (ctx) => ctx.call(cond.acquire()))
    await sleep(0)
    expect(cond.lock.stats().waiting).toBe(1)
    await victim.kill()
    expect(cond.lock.stats().waiting).toBe(0)
    held.release()
    expect(cond.locked).toBe(false)
    using _ = await cond.acquire()
    expect(cond.locked).toBe(true)
  })

  it('acquire takes the same {timeout, signal} as Lock.acquire and leaves no waiter', () =>
    withVirtualTime(async (clock) => {
      const cond = new Condition()
      const held = await cond.acquire()
      await expect(cond.acquire({ timeout: 30 })).rejects.toBeInstanceOf(TimeoutError)
      expect(clock.now()).toBe(30)
      const ac = new AbortController()
      const aborted = Promise.resolve(cond.acquire({ signal: ac.signal }))
      ac.abort(new Error('stop'))
      await expect(aborted).rejects.toThrow('stop')
      expect(cond.lock.stats().waiting).toBe(0)
      held.release()
      expect(cond.locked).toBe(false)
    }))
})

describe('conformance: Barrier', () => {
  it('asyncio Barrier: releases all parties together with distinct indexes, and is reusable', async () => {
    const b = new Barrier(3)
    for (let round = 0; round < 2; round++) {
      const ws = [b.wait(), b.wait()].map((w) => Promise.resolve(w))
      expect(await settledState(ws[0] as Promise<number>)).toBe('pending')
      const last = await b.wait()
      expect([...(await Promise.all(ws)), last].sort()).toEqual([0, 1, 2])
    }
  })

  it('asyncio Barrier: abort() breaks waiters and later waits with BrokenBarrierError; reset() restores', async () => {
    const b = new Barrier(2)
    const w = Promise.resolve(b.wait())
    b.abort()
    await expect(w).rejects.toBeInstanceOf(BrokenBarrierError)
    await expect(b.wait()).rejects.toBeInstanceOf(BrokenBarrierError)
    b.reset()
    expect(b.broken).toBe(false)
    const [x, y] = await Promise.all([b.wait(), b.wait()])
    expect([x, y].sort()).toEqual([0, 1])
  })

  it('threading Barrier: a timed-out wait breaks the barrier for the others', () =>
    withVirtualTime(async () => {
      const b = new Barrier(3)
      const other = Promise.resolve(b.wait())
      await expect(b.wait({ timeout: 10 })).rejects.toBeInstanceOf(TimeoutError)
      await expect(other).rejects.toBeInstanceOf(BrokenBarrierError)
      expect(b.broken).toBe(true)
    }))

  it('a killed waiter leaves without breaking the barrier', async () => {
    const b = new Barrier(2)
    const t = spawn(async (ctx) => ctx.call(b.wait()))
    await sleep(0)
    expect(b.waiting).toBe(1)
    await t.kill()
    expect(b.waiting).toBe(0)
    expect(b.broken).toBe(false)
    expect(() => new Barrier(0)).toThrow(RangeError)
  })
})
