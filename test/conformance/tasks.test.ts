import { describe, expect, it } from 'vitest'
import { joinAll, killAll, sleep, spawn, spawnLater, type Task } from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { takeUnobserved } from '../helpers/setup.js'
import { turn } from '../helpers/util.js'

describe('conformance: tasks', () => {
  it('gevent: spawn(a); spawn(b) run neither until the spawner suspends, then in spawn order', async () => {
    const out: string[] = []
    const a = spawn(() => out.push('a'))
    const b = spawn(() => out.push('b'))
    out.push('spawner')
    await sleep(0)
    expect(out).toEqual(['spawner', 'a', 'b'])
    await joinAll([a, b])
  })

  it('gevent: sleep(0) is an explicit switch between two greenlets', async () => {
    const out: string[] = []
    const foo = spawn(function* () {
      out.push('foo 1')
      yield* sleep(0)
      out.push('foo 2')
    })
    const bar = spawn(function* () {
      out.push('bar 1')
      yield* sleep(0)
      out.push('bar 2')
    })
    await joinAll([foo, bar])
    expect(out).toEqual(['foo 1', 'bar 1', 'foo 2', 'bar 2'])
  })

  it('gevent: started, ready, successful, value, exception follow the greenlet states', async () => {
    const winner = spawn(() => 'You win!')
    const loser = spawn((): never => {
      throw new Error('You fail at failing.')
    })
    expect([winner.started, winner.ready, winner.state]).toEqual([true, false, 'pending'])
    await joinAll([winner, loser])
    expect([winner.value, winner.ready, winner.successful, winner.exception]).toEqual([
      'You win!',
      true,
      true,
      undefined,
    ])
    expect([loser.value, loser.ready, loser.successful, String(loser.exception)]).toEqual([
      undefined,
      true,
      false,
      'Error: You fail at failing.',
    ])
    expect(loser.state).toBe('failed')
  })

  it('gevent: state is running while the body runs', async () => {
    let inside = ''
    const t: Task<void> = spawn(async () => {
      inside = t.state
      await null
    })
    await t
    expect(inside).toBe('running')
  })

  it('gevent: joinall returns the finished greenlets, in completion order', () =>
    withVirtualTime(async () => {
      const slow = spawn(function* () {
        yield* sleep(30)
      })
      const fast = spawn(function* () {
        yield* sleep(10)
      })
      expect(await joinAll([slow, fast])).toEqual([fast, slow])
    }))

  it('gevent: joinall(timeout) returns only those finished in time', () =>
    withVirtualTime(async (clock) => {
      const fast = spawn(function* () {
        yield* sleep(10)
      })
      const slow = spawn(function* () {
        yield* sleep(1000)
      })
      expect(await joinAll([fast, slow], { timeout: 50 })).toEqual([fast])
      expect(clock.now()).toBe(50)
      await slow.kill()
    }))

  it('gevent: joinall(count) returns once count have finished', () =>
    withVirtualTime(async () => {
      const ts = [30, 10, 20].map((ms) =>
        spawn(function* () {
          yield* sleep(ms)
          return ms
        }),
      )
      const first2 = await joinAll(ts, { count: 2 })
      expect(first2.map((t) => t.value)).toEqual([10, 20])
      await joinAll(ts)
    }))

  it('gevent: joinall(raise_error) raises the first failure while the others run on', () =>
    withVirtualTime(async () => {
      const boom = new Error('boom')
      const failing = spawn(function* () {
        yield* sleep(10)
        throw boom
      })
      const other = spawn(function* () {
        yield* sleep(100)
        return 'done'
      })
      await expect(joinAll([failing, other], { raiseError: true })).rejects.toBe(boom)
      expect(other.state).toBe('running')
      expect(await other).toBe('done')
    }))

  it('gevent: an unhandled greenlet failure is reported, never an unhandled rejection', async () => {
    const rejections: unknown[] = []
    const onRejection = (r: unknown) => rejections.push(r)
    process.on('unhandledRejection', onRejection)
    try {
      spawn(() => {
        throw new Error('reported')
      })
      await sleep(0)
      await turn()
      await turn()
      expect(takeUnobserved().map((f) => String(f.error))).toEqual(['Error: reported'])
      expect(rejections).toEqual([])
    } finally {
      process.off('unhandledRejection', onRejection)
    }
  })

  it('gevent: spawn_later starts the greenlet after the delay', () =>
    withVirtualTime(async (clock) => {
      let startedAt = -1
      const t = spawnLater(250, () => (startedAt = clock.now()))
      expect(t.state).toBe('pending')
      await t
      expect(startedAt).toBe(250)
    }))

  it('gevent: killall kills every greenlet and waits for their finally blocks', () =>
    withVirtualTime(async () => {
      const cleaned: number[] = []
      const ts = [1, 2, 3].map((i) =>
        spawn(function* () {
          try {
            yield* sleep(10_000)
          } finally {
            yield* sleep(i)
            cleaned.push(i)
          }
        }),
      )
      await sleep(0)
      expect(await killAll(ts)).toBe(true)
      expect(cleaned).toEqual([1, 2, 3])
      expect(ts.every((t) => t.state === 'cancelled')).toBe(true)
    }))

  it('asyncio: await task gives the result; a CancelledError escaping the body cancels the task', async () => {
    const { CancelledError } = await import('verdant')
    const t = spawn(async () => {
      await null
      throw new CancelledError('self')
    })
    await t.join()
    expect(t.state).toBe('cancelled')
    expect(t.cancelled).toBe(true)
  })
})
