import { createServer, connect, type Socket } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sleep, spawn, TaskKilled, yieldNow } from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { type Clock, swapClock, type Timer } from '../../../src/platform/clock.js'

describe('sleep', () => {
  it('waits the given virtual time', () =>
    withVirtualTime(async (clock) => {
      await sleep(3_600_000)
      expect(clock.now()).toBe(3_600_000)
    }))

  it('rejects a negative or non-number duration with a RangeError naming it', () => {
    expect(() => sleep(-1)).toThrow(RangeError)
    expect(() => sleep(Number.NaN)).toThrow(/`ms`/)
    expect(() => sleep('5' as unknown as number)).toThrow(/got `"5"` \(string\)/)
  })

  it('rejects with the signal reason when aborted, and leaves no timer', async () => {
    const ac = new AbortController()
    const p = sleep(60_000, { signal: ac.signal })
    const reason = new Error('stop')
    setImmediate(() => ac.abort(reason))
    await expect(p).rejects.toBe(reason)
  })

  it('in a generator task, a signal abort raises at the yield* and a kill after it finds no timer', () =>
    withVirtualTime(async (clock) => {
      const ac = new AbortController()
      const reason = new Error('stop')
      const t = spawn(function* () {
        try {
          yield* sleep(60_000, { signal: ac.signal })
        } catch (err) {
          expect(clock.pendingTimers).toBe(0)
          yield* sleep(50)
          return [err, clock.now()]
        }
        return 'slept'
      })
      await sleep(10)
      ac.abort(reason)
      expect(await t).toEqual([reason, 60])
      expect(clock.pendingTimers).toBe(0)
    }))

  it('rejects at once when the signal is already aborted', async () => {
    await expect(sleep(10, { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already')
  })

  it('sleep(0) lets a timer callback run, not only microtasks', async () => {
    let fired = false
    setTimeout(() => (fired = true), 0)
    let hops = 0
    while (!fired && hops < 100_000) {
      await sleep(0)
      hops++
    }
    expect(fired).toBe(true)
  })

  it('sleep(0) lets a pending socket read run', async () => {
    let serverSide: Socket | undefined
    const server = createServer((s) => (serverSide = s))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const port = (server.address() as { port: number }).port
    const client = connect(port, '127.0.0.1')
    await new Promise<void>((resolve) => client.on('connect', resolve))
    while (serverSide === undefined) await sleep(0)
    let received = ''
    serverSide.on('data', (d: Buffer) => (received += d.toString()))
    client.write('ping')
    let hops = 0
    while (received === '' && hops < 100_000) {
      await yieldNow()
      hops++
    }
    expect(received).toBe('ping')
    client.destroy()
    serverSide.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  it('all tasks that yield in one turn resume in order', async () => {
    const out: string[] = []
    const mk = (name: string) =>
      spawn(function* () {
        out.push(`${name}1`)
        yield* sleep(0)
        out.push(`${name}2`)
      })
    const a = mk('a')
    const b = mk('b')
    await Promise.all([a, b])
    expect(out).toEqual(['a1', 'b1', 'a2', 'b2'])
  })

  it('a sleep awaited twice waits once', () =>
    withVirtualTime(async (clock) => {
      const s = sleep(100)
      await s
      await s
      expect(clock.now()).toBe(100)
    }))

  it('a sleep yielded again waits its full time again, also after its first wait was abandoned', () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 0, max: 100 }),
        (deadlines, killAt, pause) =>
          withVirtualTime(async (clock) => {
            // Other timers around the abandoned wait keep it in the heap, dead, wherever it sits.
            const fired: [number, number][] = []
            for (const d of deadlines) clock.setTimer(d, () => fired.push([d, clock.now()]))
            const s = sleep(100)
            const first = spawn(function* () {
              yield* s
            })
            await sleep(killAt)
            await first.kill()
            await sleep(pause)
            const start = clock.now()
            const again = spawn(function* () {
              yield* s
              const mid = clock.now()
              yield* s
              return [mid, clock.now()]
            })
            expect(await again).toEqual([start + 100, start + 200])
            await sleep(300)
            for (const [d, t] of fired) expect(t).toBe(d)
            expect(fired).toHaveLength(deadlines.length)
            expect(clock.pendingTimers).toBe(0)
          }),
      ),
      { numRuns: 200 },
    ))

  it("runs on a clock of the application's own, which has only the public Clock interface", async () => {
    const timers = new Set<NodeJS.Timeout>()
    const own: Clock = {
      now: () => performance.now(),
      setTimer(ms: number, callback: () => void): Timer {
        const h = setTimeout(() => {
          timers.delete(h)
          callback()
        }, ms)
        timers.add(h)
        return {
          cancel: () => {
            clearTimeout(h)
            timers.delete(h)
          },
          get live() {
            return timers.has(h)
          },
        }
      },
      get pendingTimers() {
        return timers.size
      },
    }
    const previous = swapClock(own)
    try {
      const t0 = performance.now()
      await sleep(5)
      expect(performance.now() - t0).toBeGreaterThanOrEqual(4)
      const parked = spawn(function* () {
        yield* sleep(60_000)
      })
      await sleep(1)
      expect(timers.size).toBe(1)
      await parked.kill()
      expect(timers.size).toBe(0)
      const bound = spawn(async (ctx) => {
        await ctx.sleep(60_000)
      })
      await sleep(1)
      expect(timers.size).toBe(1)
      await bound.kill()
      expect(bound.exception).toBeInstanceOf(TaskKilled)
      expect(timers.size).toBe(0)
    } finally {
      swapClock(previous)
    }
  })
})

describe('ctx.sleep', () => {
  it('wakes each task at its deadline, in start order on ties, and a kill rejects at once', () =>
    fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            ms: fc.integer({ min: 1, max: 50 }),
            killAt: fc.option(fc.integer({ min: 0, max: 60 })),
          }),
          {
            minLength: 1,
            maxLength: 16,
          },
        ),
        fc.array(fc.integer({ min: 1, max: 60 }), { maxLength: 6 }),
        (sleepers, others) =>
          withVirtualTime(async (clock) => {
            const fired: [number, number][] = []
            for (const d of others) clock.setTimer(d, () => fired.push([d, clock.now()]))
            const woke: number[] = []
            const tasks = sleepers.map(({ ms }, i) =>
              spawn(async (ctx) => {
                try {
                  await ctx.sleep(ms)
                  woke.push(i)
                  return clock.now()
                } catch (err) {
                  return err instanceof TaskKilled ? -clock.now() - 1 : err
                }
              }),
            )
            sleepers.forEach(({ killAt }, i) => {
              if (killAt !== null)
                clock.setTimer(killAt, () => void (tasks[i] as (typeof tasks)[number]).cancel())
            })
            const ends = await Promise.all(tasks.map((t) => t.get()))
            sleepers.forEach(({ ms, killAt }, i) => {
              // A kill that lands first is caught at once. On a tie the kill's timer fires first: it
              // was set before the bodies started and set their sleeps.
              const killedFirst = killAt !== null && killAt <= ms
              expect(ends[i]).toBe(killedFirst ? -killAt - 1 : ms)
            })
            const expectedOrder = sleepers
              .map(({ ms, killAt }, i) => ({ ms, i, killed: killAt !== null && killAt <= ms }))
              .filter((s) => !s.killed)
              .sort((a, b) => a.ms - b.ms || a.i - b.i)
              .map((s) => s.i)
            expect(woke).toEqual(expectedOrder)
            await sleep(60)
            for (const [d, t] of fired) expect(t).toBe(d)
            expect(clock.pendingTimers).toBe(0)
          }),
      ),
      { numRuns: 150 },
    ))

  it('rejects at once when a kill arrived while the body was running', () =>
    withVirtualTime(async (clock) => {
      const t = spawn(async (ctx) => {
        ctx.task.cancel('stop')
        try {
          await ctx.sleep(60_000)
          return 'slept'
        } catch (err) {
          return err
        }
      })
      const caught = await t.get()
      expect(caught).toBeInstanceOf(TaskKilled)
      expect(clock.now()).toBe(0)
      expect(clock.pendingTimers).toBe(0)
    }))

  it('a kill rejects every open sleep of the task and leaves no timer', () =>
    withVirtualTime(async (clock) => {
      const outcomes: unknown[] = []
      const t = spawn(async (ctx) => {
        const a = ctx.sleep(1_000).catch((e: unknown) => outcomes.push(e))
        const b = ctx.sleep(2_000).catch((e: unknown) => outcomes.push(e))
        await Promise.all([a, b])
        // A kill is raised once (gevent): the body caught it and may finish.
        return clock.now()
      })
      await sleep(10)
      expect(clock.pendingTimers).toBe(2)
      await t.kill()
      expect(outcomes).toHaveLength(2)
      for (const e of outcomes) expect(e).toBeInstanceOf(TaskKilled)
      expect(t.value).toBe(10)
      expect(clock.pendingTimers).toBe(0)
    }))

  it('checks its duration like sleep, and ctx.sleep(0) lets a pending I/O-phase callback run first', async () => {
    const order: string[] = []
    const t = spawn(async (ctx) => {
      expect(() => ctx.sleep(-1)).toThrow(RangeError)
      setImmediate(() => order.push('immediate'))
      await ctx.sleep(0)
      order.push('after sleep(0)')
    })
    await t
    expect(order).toEqual(['immediate', 'after sleep(0)'])
  })
})
