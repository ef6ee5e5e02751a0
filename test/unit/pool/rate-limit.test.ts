import { describe, expect, it } from 'vitest'
import { withVirtualTime } from 'verdant/testing'
import { sleep } from 'verdant'
import { RateWindow } from '../../../src/pool/rate-limit.js'

describe('RateWindow', () => {
  it('allows `limit` starts per interval and says how long to wait for the next', () =>
    withVirtualTime(async () => {
      const w = new RateWindow({ limit: 2, intervalMs: 100 })
      expect([w.take(), w.take()]).toEqual([0, 0])
      expect(w.take()).toBe(100)
      await sleep(40)
      expect(w.take()).toBe(60)
      await sleep(60)
      expect(w.take()).toBe(0)
    }))

  it('refuses a bad limit or interval', () => {
    expect(() => new RateWindow({ limit: 0, intervalMs: 1 })).toThrow(/rateLimit.limit/)
    expect(() => new RateWindow({ limit: 1, intervalMs: -1 })).toThrow(/rateLimit.intervalMs/)
  })
})
