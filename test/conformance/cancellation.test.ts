import { describe, expect, it } from 'vitest'
import { CancelledError, Future, sleep, spawn, TaskKilled } from 'verdant'
import { withVirtualTime } from 'verdant/testing'

describe('conformance: cancellation', () => {
  it('gevent: kill() on a greenlet that has not started means it never runs', async () => {
    let ran = false
    const linked: string[] = []
    const t = spawn(() => {
      ran = true
    })
    t.link((x) => linked.push(x.state))
    await t.kill()
    await sleep(0)
    expect(ran).toBe(false)
    expect(t.state).toBe('cancelled')
    expect(t.started).toBe(false)
    expect(t.exception).toBeInstanceOf(TaskKilled)
    expect(linked).toEqual(['cancelled'])
  })

  it('gevent: kill() raises GreenletExit at the yield, runs finally (which may sleep), and waits for it', () =>
    withVirtualTime(async (clock) => {
      const out: string[] = []
      const t = spawn(function* () {
        try {
          yield* sleep(10_000)
        } finally {
          out.push('finally start')
          yield* sleep(10)
          out.push('finally end')
        }
      })
      await sleep(1)
      const killed = t.kill()
      expect(out).toEqual(['finally start'])
      expect(await killed).toBe(true)
      expect(out).toEqual(['finally start', 'finally end'])
      expect(clock.now()).toBe(11)
      expect(t.state).toBe('cancelled')
    }))

  it('gevent: a greenlet may catch its kill and return a value; it then ends successful', async () => {
    const t = spawn(function* () {
      try {
        yield* sleep(10_000)
      } catch (e) {
        if (e instanceof TaskKilled) return 'caught the kill'
        throw e
      }
      return 'not killed'
    })
    await sleep(0)
    await t.kill()
    expect(t.state).toBe('succeeded')
    expect(t.value).toBe('caught the kill')
  })

  it('gevent: kill is idempotent; a second kill does not raise again into the clean-up', () =>
    withVirtualTime(async () => {
      let kills = 0
      const t = spawn(function* () {
        try {
          yield* sleep(10_000)
        } catch (e) {
          kills++
          yield* sleep(50)
          throw e
        }
      })
      await sleep(0)
      const k1 = t.kill()
      const k2 = t.kill()
      expect(await k1).toBe(true)
      expect(await k2).toBe(true)
      expect(kills).toBe(1)
      expect(await t.kill()).toBe(true)
    }))

  it('gevent: kill(timeout) resolves false when the greenlet ignores its kill', () =>
    withVirtualTime(async () => {
      const t = spawn(async () => {
        await new Promise((r) => setTimeout(r, 30))
      })
      await sleep(0)
      expect(await t.kill(undefined, { timeout: 5 })).toBe(false)
      expect(t.state).toBe('running')
      await t.join()
    }))

  it('gevent: killing a dead greenlet does nothing and resolves at once', async () => {
    const t = spawn(() => 1)
    await t
    expect(await t.kill()).toBe(true)
    expect(t.state).toBe('succeeded')
  })

  it('asyncio: killing an async task rejects its ctx.sleep at once and aborts ctx.signal', () =>
    withVirtualTime(async (clock) => {
      let signalReason: unknown
      const t = spawn(async (ctx) => {
        ctx.signal.addEventListener('abort', () => (signalReason = ctx.signal.reason as unknown))
        await ctx.sleep(60_000)
      })
      await sleep(5)
      await t.kill('stop')
      expect(clock.now()).toBe(5)
      expect(signalReason).toBeInstanceOf(TaskKilled)
      expect(t.exception).toBe(signalReason)
    }))

  it('asyncio: a kill interrupts ctx.join of another task, leaving that task running', async () => {
    const other = spawn(async (ctx) => {
      await ctx.sleep(50)
    })
    const t = spawn(async (ctx) => {
      await ctx.join(other)
    })
    await sleep(0)
    await t.kill()
    expect(t.state).toBe('cancelled')
    expect(other.state).toBe('running')
    await other
  })

  it('asyncio: a kill interrupts ctx.get of a future and ctx.call of a promise', async () => {
    const f = new Future<number>()
    const never = new Promise<number>(() => undefined)
    const a = spawn(async (ctx) => ctx.get(f))
    const b = spawn(async (ctx) => ctx.call(never))
    await sleep(0)
    await Promise.all([a.kill(), b.kill()])
    expect([a.state, b.state]).toEqual(['cancelled', 'cancelled'])
    f.cancel()
  })

  it('asyncio: a primitive given ctx.signal (sleep, join, get) rejects with the CancelledError', async () => {
    const f = new Future<number>()
    const errs: unknown[] = []
    const t = spawn(async (ctx) => {
      const s = ctx.signal
      await Promise.allSettled([
        sleep(60_000, { signal: s }),
        f.join({ signal: s }),
        f.get({ signal: s }),
      ]).then((rs) => rs.forEach((r) => r.status === 'rejected' && errs.push(r.reason)))
    })
    await sleep(0)
    await t.kill()
    expect(errs).toHaveLength(3)
    expect(errs.every((e) => e instanceof CancelledError)).toBe(true)
    f.cancel()
  })

  it('gevent: a kill arriving while the body runs is raised at its next switch point', async () => {
    const out: string[] = []
    const t = spawn(function* () {
      out.push('before')
      t.cancel()
      out.push('still running')
      try {
        yield* sleep(0)
        out.push('not reached')
      } catch (e) {
        out.push((e as Error).name)
        throw e
      }
    })
    await t.join()
    expect(out).toEqual(['before', 'still running', 'TaskKilled'])
  })

  it('trio: a kill during finally interrupts the clean-up wait, and the task still ends', () =>
    withVirtualTime(async (clock) => {
      const out: string[] = []
      const t = spawn(function* () {
        try {
          yield* sleep(5)
        } finally {
          out.push('finally')
          try {
            yield* sleep(10_000)
          } catch (e) {
            out.push(`clean-up interrupted by ${(e as Error).name}`)
          }
        }
      })
      await sleep(10)
      expect(out).toEqual(['finally'])
      await t.kill()
      expect(out).toEqual(['finally', 'clean-up interrupted by TaskKilled'])
      expect(clock.now()).toBe(10)
      expect(t.state).toBe('succeeded')
    }))

  it('asyncio: the ctx waits of an async task killed in finally are cancelled too', () =>
    withVirtualTime(async () => {
      const t = spawn(async (ctx) => {
        try {
          await ctx.sleep(5)
        } finally {
          await ctx.sleep(10_000)
        }
      })
      await sleep(6)
      await t.kill()
      expect(t.state).toBe('cancelled')
    }))

  it('asyncio: a wait started but never awaited is undone when the body ends (no timer left)', async () => {
    const t = spawn(async (ctx) => {
      void ctx.sleep(60_000)
      await null
      return 'done'
    })
    expect(await t).toBe('done')
  })

  it('gevent: killing a task that already failed does not hide its failure from its parent', async () => {
    const boom = new Error('failed before the kill')
    const parent = spawn(async (ctx) => {
      const child = ctx.spawn(() => {
        throw boom
      })
      await null // the child ran and failed; the end-of-turn check has not run yet
      expect(child.state).toBe('failed')
      await child.kill()
      await ctx.sleep(0)
    })
    await expect(parent).rejects.toBe(boom)
  })
})
