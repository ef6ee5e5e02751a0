import { createServer, connect, type Socket } from 'node:net'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { sleep, spawn, yieldNow } from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { type Clock, swapClock, type Timer } from '../../../src/time/clock.js'

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
    } finally {
      swapClock(previous)
    }
  })
})
