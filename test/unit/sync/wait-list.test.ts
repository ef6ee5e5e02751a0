import { describe, expect, it } from 'vitest'
import { Waiter, WaitList } from '../../../src/sync/wait-list.js'

const site = { _waitLabel: () => 'a test list' }

describe('WaitList', () => {
  it('is FIFO; cancel unlinks in place', () => {
    const list = new WaitList<number>(site)
    const out: string[] = []
    const mk = (name: string) => new Waiter<number>(() => out.push(name), name)
    const a = mk('a')
    const b = mk('b')
    const c = mk('c')
    const d = mk('d')
    list.push(a)
    list.push(b)
    list.push(c)
    list.push(d)
    b.cancel()
    b.cancel()
    expect(list.size).toBe(3)
    for (let w = list.shift(); w !== undefined; w = list.shift()) w.resume(true, 0)
    expect(out).toEqual(['a', 'c', 'd'])
    expect(list.size).toBe(0)
    expect(list.peek()).toBeUndefined()
  })

  it('drain returns every waiter in order and empties the list', () => {
    const list = new WaitList<void>(site)
    const ws = [1, 2, 3].map((i) => new Waiter<void>(() => undefined, i))
    for (const w of ws) list.push(w)
    expect(list.drain().map((w) => w.data)).toEqual([1, 2, 3])
    expect(list.size).toBe(0)
  })
})
