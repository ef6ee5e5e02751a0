import { describe, expect, it } from 'vitest'
import { CancelledError, Future, InvalidStateError, sleep, spawn, TimeoutError } from 'verdant'
import { settledState, withVirtualTime } from 'verdant/testing'
import { takeUnobserved } from '../../helpers/setup.js'
import { turn } from '../../helpers/util.js'

describe('Future', () => {
  it('starts pending with no value or exception', () => {
    const f = new Future<number>()
    expect(f.state).toBe('pending')
    expect(f.done).toBe(false)
    expect(f.value).toBeUndefined()
    expect(f.exception).toBeUndefined()
    expect(() => f.result()).toThrow(InvalidStateError)
  })

  it('setResult makes it succeed and resolves awaiters', async () => {
    const f = new Future<number>()
    const p = f.then((v) => v * 2)
    f.setResult(21)
    expect(f.state).toBe('succeeded')
    expect(f.value).toBe(21)
    expect(f.result()).toBe(21)
    expect(await p).toBe(42)
    expect(await f).toBe(21)
  })

  it('setException makes it fail; result() and await throw the error', async () => {
    const f = new Future<number>()
    const err = new Error('x')
    const p = Promise.resolve(f)
    f.setException(err)
    expect(f.state).toBe('failed')
    expect(f.exception).toBe(err)
    expect(() => f.result()).toThrow(err)
    await expect(p).rejects.toBe(err)
  })

  it('setting a done future throws InvalidStateError naming the state', () => {
    const f = new Future<number>()
    f.setResult(1)
    expect(() => f.setResult(2)).toThrow(/setResult\(\) called on a future that is already succeeded/)
    expect(() => f.setException(new Error())).toThrow(InvalidStateError)
    expect(f.cancel()).toBe(false)
  })

  it('cancel() gives a CancelledError carrying the message', async () => {
    const f = new Future<number>()
    expect(f.cancel('bye')).toBe(true)
    expect(f.cancelled).toBe(true)
    const err = f.exception as CancelledError
    expect(err).toBeInstanceOf(CancelledError)
    expect(err.reason).toBe('bye')
    await expect(f).rejects.toBeInstanceOf(CancelledError)
  })

  it('runs done-callbacks in registration order, and at once when added after', () => {
    const f = new Future<string>()
    const out: string[] = []
    f.addDoneCallback(() => out.push('a'))
    f.addDoneCallback(() => out.push('b'))
    f.setResult('v')
    f.addDoneCallback((g) => out.push(`late ${String(g.value)}`))
    expect(out).toEqual(['a', 'b', 'late v'])
  })

  it('removeDoneCallback removes every registration and returns the count', () => {
    const f = new Future<number>()
    const out: number[] = []
    const cb = () => out.push(1)
    f.addDoneCallback(cb)
    f.addDoneCallback(() => out.push(2))
    f.addDoneCallback(cb)
    expect(f.removeDoneCallback(cb)).toBe(2)
    f.setResult(0)
    expect(out).toEqual([2])
  })

  it('a throwing done-callback is reported and the next still runs', async () => {
    const f = new Future<number>()
    const out: number[] = []
    f.addDoneCallback(() => {
      throw new Error('cb broke')
    })
    f.addDoneCallback(() => out.push(1))
    f.setResult(0)
    expect(out).toEqual([1])
    const reported = takeUnobserved()
    expect(reported.map((r) => String(r.error))).toEqual(['Error: cb broke'])
    await turn()
  })

  it('a failure nobody observed is reported once, after the turn', async () => {
    const f = new Future<number>()
    f.setException(new Error('lost?'))
    expect(takeUnobserved()).toEqual([])
    await turn()
    const r = takeUnobserved()
    expect(r).toHaveLength(1)
    expect(r[0]?.source).toBe('future')
  })

  it('a failure observed within the turn is not reported', async () => {
    const f = new Future<number>()
    f.setException(new Error('seen'))
    await expect(f).rejects.toThrow('seen')
    await turn()
    expect(takeUnobserved()).toEqual([])
  })

  it('get({timeout}) throws TimeoutError; join({timeout}) resolves false', () =>
    withVirtualTime(async (clock) => {
      const f = new Future<number>()
      await expect(f.get({ timeout: 50 })).rejects.toBeInstanceOf(TimeoutError)
      expect(clock.now()).toBe(50)
      expect(await f.join({ timeout: 10 })).toBe(false)
      f.setResult(1)
      expect(await f.join({ timeout: 10 })).toBe(true)
      expect(await f.get()).toBe(1)
    }))

  it('a join abandoned through its signal removes its callback', async () => {
    const f = new Future<number>()
    const ac = new AbortController()
    const j = f.join({ signal: ac.signal })
    const p = Promise.resolve(j)
    expect(await settledState(p)).toBe('pending')
    ac.abort(new CancelledError('stop'))
    await expect(p).rejects.toBeInstanceOf(CancelledError)
    f.setResult(1)
  })

  it('is yield*-able inside a generator task', async () => {
    const f = new Future<number>()
    const t = spawn(function* () {
      const v = yield* f
      return v + 1
    })
    yield_: {
      await sleep(0)
      break yield_
    }
    f.setResult(41)
    expect(await t).toBe(42)
  })
})
