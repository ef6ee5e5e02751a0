import { getEventListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { CancelledError, Group, Pool, sleep, spawn, TaskKilled, TimeoutError, type GroupEvent } from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'
import { takeUnobserved } from '../../helpers/setup.js'

const listeners = (signal: AbortSignal): number => getEventListeners(signal, 'abort').length

const slow = async (x: number, _i: number, signal: AbortSignal): Promise<number> => {
  await sleep(10, { signal })
  return x
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const v of it) out.push(v)
  return out
}

const makers: readonly (readonly [string, () => Group])[] = [
  ['Group', () => new Group()],
  ['Pool', () => new Pool(2)],
]

describe('map, imap and imapUnordered with a signal aborted in the same tick', () => {
  for (const [kind, make] of makers) {
    for (const method of ['map', 'imap', 'imapUnordered'] as const) {
      it(`${kind}.${method} rejects with the signal's reason when it aborts right after the call`, () =>
        withVirtualTime(async () => {
          const group = make()
          const ac = new AbortController()
          const reason = new Error('stop now')
          const run =
            method === 'map'
              ? group.map(slow, [1, 2, 3], { signal: ac.signal })
              : (() => {
                  const it = group[method](slow, [1, 2, 3], { signal: ac.signal })
                  const first = it.next()
                  return first.then(() => drain(it))
                })()
          ac.abort(reason)
          await expect(run).rejects.toBe(reason)
          expect(group.size).toBe(0)
          expect(listeners(ac.signal)).toBe(0)
        }))
    }
  }

  it('a Pool map stopped in the same tick frees its slots for later work', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const ac = new AbortController()
      const p = pool.map(slow, [1, 2], { signal: ac.signal })
      ac.abort()
      await expect(p).rejects.toMatchObject({ name: 'AbortError' })
      expect([pool.running, pool.pending]).toEqual([0, 0])
      expect(await pool.map(slow, [3])).toEqual([3])
    }))
})

describe('a killed Group or Pool stays usable (gevent Pool.kill)', () => {
  for (const [kind, make] of makers) {
    it(`${kind}.spawn after kill() runs the new task; kill() only ended the members of the time`, () =>
      withVirtualTime(async () => {
        const group = make()
        const old = group.spawn(() => sleep(1000))
        await sleep(1)
        expect(await group.kill()).toBe(true)
        expect(old.state).toBe('cancelled')
        const fresh = group.spawn(async () => 'ran')
        expect(await fresh).toBe('ran')
        expect(await group.map(async (x: number) => x + 1, [1, 2])).toEqual([2, 3])
        expect(group.size).toBe(0)
      }))
  }
})

describe('Group.apply', () => {
  it('gevent apply(func, args=None): args may be left out', () =>
    withVirtualTime(async () => {
      const group = new Group()
      expect(await group.apply(() => 'no args')).toBe('no args')
      expect(await group.apply((a: number, b: number) => a * b, [6, 7])).toBe(42)
    }))

  it('refuses args that are not an array', () => {
    const group = new Group()
    // @ts-expect-error: args must be an array
    expect(() => group.apply((a: number) => a, 5)).toThrow(/`args`/)
  })
})

describe('per-task signal and timeout', () => {
  it('spawn({signal}): the task is killed with the signal reason when it aborts', () =>
    withVirtualTime(async () => {
      const ac = new AbortController()
      const task = spawn(() => sleep(1000), { signal: ac.signal })
      await sleep(5)
      ac.abort('user gave up')
      await expect(task).rejects.toBeInstanceOf(TaskKilled)
      expect(task.state).toBe('cancelled')
      expect((task.exception as TaskKilled).reason).toBe('user gave up')
      expect(listeners(ac.signal)).toBe(0)
    }))

  for (const [kind, make] of makers) {
    it(`${kind}.spawn: a signal already aborted means the task never runs and ends cancelled`, () =>
      withVirtualTime(async () => {
        const group = make()
        let ran = false
        const task = group.spawn(
          () => {
            ran = true
          },
          { signal: AbortSignal.abort('too late') },
        )
        expect(task.state).toBe('cancelled')
        expect((task.exception as TaskKilled).reason).toBe('too late')
        await sleep(1)
        expect(ran).toBe(false)
        expect(group.size).toBe(0)
      }))

    it(`${kind}.spawn({timeout}): the task fails with a TimeoutError raised where it waits`, () =>
      withVirtualTime(async (clock) => {
        const group = make()
        let caught: unknown
        const task = group.spawn(
          async (ctx) => {
            try {
              await ctx.sleep(1000)
            } catch (err) {
              caught = err
              throw err
            }
          },
          { timeout: 20 },
        )
        await expect(task).rejects.toBeInstanceOf(TimeoutError)
        expect(caught).toBe(task.exception)
        expect(task.state).toBe('failed')
        expect(clock.now()).toBe(20)
      }))

    it(`${kind}.spawn({timeout}): a task that finishes in time leaves no timer`, () =>
      withVirtualTime(async () => {
        const group = make()
        expect(await group.spawn(async () => 1, { timeout: 50 })).toBe(1)
      }))

    it(`${kind}.spawn: a long-lived signal used for 10,000 tasks keeps no listener`, () =>
      withVirtualTime(async () => {
        const group = make()
        const ac = new AbortController()
        for (let i = 0; i < 10_000; i++) group.spawn(() => i, { signal: ac.signal, timeout: 1000 })
        expect(await group.join()).toBe(true)
        expect(listeners(ac.signal)).toBe(0)
      }))

    it(`${kind}.spawn validates signal and timeout at the call`, () => {
      const group = make()
      expect(() => group.spawn(() => 1, { timeout: -1 })).toThrow(RangeError)
      expect(() => group.spawn(() => 1, { timeout: -1 })).toThrow(/`timeout`/)
      expect(() => group.spawn(() => 1, { timeout: Number.NaN })).toThrow(/`timeout`/)
      // @ts-expect-error: a timeout is a number
      expect(() => group.spawn(() => 1, { timeout: '5' })).toThrow(/`timeout`/)
      // @ts-expect-error: not a signal
      expect(() => group.spawn(() => 1, { signal: {} })).toThrow(TypeError)
      // @ts-expect-error: not a signal
      expect(() => group.spawn(() => 1, { signal: 'x' })).toThrow(/`signal`/)
      expect(group.size).toBe(0)
    })
  }

  it('spawn validates the signal; timeout is a Group/Pool option only', () => {
    // @ts-expect-error: not a signal
    expect(() => spawn(() => 1, { signal: new EventTarget() })).toThrow(/`signal` to be an AbortSignal/)
  })

  it("Pool: a task's timeout counts from when it starts running, not from the spawn call", () =>
    withVirtualTime(async (clock) => {
      const pool = new Pool(1)
      const first = pool.spawn(() => sleep(30))
      const second = pool.spawn(
        async (ctx) => {
          await ctx.sleep(15)
          return clock.now()
        },
        { timeout: 20 },
      )
      await first
      expect(await second).toBe(45)
    }))

  it('Pool: a waiting task whose signal aborts never runs and frees its place', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const ac = new AbortController()
      const first = pool.spawn(() => sleep(30))
      let ran = false
      const second = pool.spawn(
        () => {
          ran = true
        },
        { signal: ac.signal },
      )
      await sleep(1)
      ac.abort()
      expect(second.state).toBe('cancelled')
      expect(pool.pending).toBe(0)
      await first
      expect(ran).toBe(false)
      expect(listeners(ac.signal)).toBe(0)
    }))
})

describe('stats, subscribe and events', () => {
  it('Pool.stats counts completed, failed and cancelled tasks beside running and pending', () =>
    withVirtualTime(async () => {
      const pool = new Pool(2)
      const ok = pool.spawn(() => sleep(5))
      const bad = pool.spawn(async () => {
        await sleep(1)
        throw new Error('bad')
      })
      const killed = pool.spawn(() => sleep(100))
      const s0 = pool.stats()
      expect(Object.isFrozen(s0)).toBe(true)
      expect(s0).toMatchObject({ running: 2, pending: 1, completed: 0, failed: 0, cancelled: 0 })
      await expect(bad).rejects.toThrow('bad')
      await ok
      await killed.kill()
      expect(pool.stats()).toMatchObject({ running: 0, pending: 0, completed: 1, failed: 1, cancelled: 1 })
      // map workers are not tasks of the caller: they do not count
      await pool.map(async (x: number) => x, [1, 2, 3])
      expect(pool.stats()).toMatchObject({ completed: 1, failed: 1, cancelled: 1 })
    }))

  it('Group.stats counts the same way', () =>
    withVirtualTime(async () => {
      const group = new Group()
      group.spawn(() => 1)
      const k = group.spawn(() => sleep(100))
      await sleep(1)
      expect(group.stats()).toEqual({ running: 1, completed: 1, failed: 0, cancelled: 0 })
      await group.kill()
      expect(Object.isFrozen(group.stats())).toBe(true)
      expect(group.stats()).toEqual({ running: 0, completed: 1, failed: 0, cancelled: 1 })
      expect(k.state).toBe('cancelled')
    }))

  for (const [kind, make] of makers) {
    it(`${kind}.subscribe tells each end, then idle; unsubscribing stops it`, () =>
      withVirtualTime(async () => {
        const group = make()
        const seen: string[] = []
        const off = group.subscribe((e) => {
          seen.push(e.type === 'idle' ? 'idle' : `${e.type} ${e.task.name}`)
        })
        group.spawn(() => 1, { name: 'a' })
        const b = group.spawn(
          async () => {
            await sleep(1)
            throw new Error('b')
          },
          { name: 'b' },
        )
        const c = group.spawn(() => sleep(100), { name: 'c' })
        await expect(b).rejects.toThrow('b')
        await c.kill()
        expect(seen).toEqual(['completed a', 'failed b', 'cancelled c', 'idle'])
        off()
        off() // idempotent
        await group.spawn(() => 1)
        expect(seen).toHaveLength(4)
      }))

    it(`${kind}.events(): an async iterator of the same events; leaving the loop unsubscribes`, () =>
      withVirtualTime(async () => {
        const group = make()
        const events = group.events()
        for (let i = 0; i < 3; i++) group.spawn(() => sleep(i), { name: `t${i}` })
        const seen: string[] = []
        for await (const e of events) {
          seen.push(e.type === 'idle' ? 'idle' : `${e.type} ${e.task.name}`)
          if (e.type === 'idle') break
        }
        expect(seen).toEqual(['completed t0', 'completed t1', 'completed t2', 'idle'])
        expect(group._listenerCount()).toBe(0)
      }))

    it(`${kind}.events({signal}): a waiting next() rejects with the reason when the signal aborts`, () =>
      withVirtualTime(async () => {
        const group = make()
        const ac = new AbortController()
        const events = group.events({ signal: ac.signal })
        const next = events.next()
        expect(await settledState(next)).toBe('pending')
        const reason = new Error('no more progress')
        ac.abort(reason)
        await expect(next).rejects.toBe(reason)
        expect(await events.next()).toEqual({ done: true, value: undefined })
        expect(group._listenerCount()).toBe(0)
        expect(listeners(ac.signal)).toBe(0)
      }))
  }

  it('a listener that throws is reported and does not break the pool', () =>
    withVirtualTime(async () => {
      const pool = new Pool(1)
      const off = pool.subscribe(() => {
        throw new Error('listener bug')
      })
      expect(await pool.spawn(() => 7)).toBe(7)
      await sleep(1)
      off()
      const reported = takeUnobserved()
      expect(reported.map((f) => String(f.error))).toContain('Error: listener bug')
    }))

  it('subscribe refuses a listener that is not a function', () => {
    // @ts-expect-error: not a function
    expect(() => new Pool(1).subscribe(5)).toThrow(/`listener`/)
  })

  it('GroupEvent narrows on type', () => {
    const e = { type: 'idle' } as GroupEvent
    if (e.type !== 'idle') expect(e.task).toBeDefined()
    expect(e.type).toBe('idle')
  })
})

describe('kill reasons seen by map callers', () => {
  it('a map whose workers are killed from outside rejects naming the reason, not an internal task', () =>
    withVirtualTime(async () => {
      const caller = spawn(async () => new Group().map(slow, [1, 2]))
      await sleep(1)
      await caller.kill('SIGINT')
      const err = caller.exception
      expect(err).toBeInstanceOf(CancelledError)
      expect((err as Error).message).not.toContain('map-worker')
      expect((err as Error).message).toContain('SIGINT')
    }))
})
