import { createServer, connect, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { sleep, spawn, yieldNow } from 'verdant'
import { withVirtualTime } from 'verdant/testing'

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
})
