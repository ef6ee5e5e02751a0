// SharedQueue: records streamed between threads through shared memory, without a message each.
import { describe, expect, it } from 'vitest'
import {
  float64Records,
  QueueEmpty,
  QueueFull,
  QueueShutDown,
  SharedQueue,
  taskRef,
  ThreadPoolExecutor,
  TimeoutError,
} from 'verdant'
import type * as tasks from '../fixtures/executor-tasks.mjs'

const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const produce = taskRef<typeof tasks.produce>(url, 'produce')
const consume = taskRef<typeof tasks.consume>(url, 'consume')

describe('SharedQueue', () => {
  it('is FIFO and bounded; nowait forms throw QueueFull / QueueEmpty', () => {
    const q = SharedQueue.create({ capacity: 2, recordSize: 3 })
    q.putNowait(new Uint8Array([1, 2, 3]))
    q.putNowait(new Uint8Array([4]))
    expect(() => q.putNowait(new Uint8Array([9]))).toThrow(QueueFull)
    expect(q.size).toBe(2)
    expect([...q.getNowait()]).toEqual([1, 2, 3])
    expect([...q.getNowait()]).toEqual([4, 0, 0])
    expect(() => q.getNowait()).toThrow(QueueEmpty)
    expect(() => q.tryPut(new Uint8Array(4))).toThrow(/at most 3 bytes/)
  })

  it('rejects bad sizes and a codec that does not fit the buffer', () => {
    expect(() => SharedQueue.create({ capacity: 0, recordSize: 1 })).toThrow(RangeError)
    expect(() => SharedQueue.create({ capacity: 1 })).toThrow(/`recordSize`/)
    const q = SharedQueue.create({ capacity: 1, codec: float64Records(2) })
    expect(() => new SharedQueue(q.buffer, float64Records(1))).toThrow(/differs/)
  })

  it('a worker produces with blocking puts while the main thread consumes with for await', async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 })
    const q = SharedQueue.create({ capacity: 16, codec: float64Records(1) })
    const job = ex.submit(produce, q.buffer, 5000)
    let expected = 0
    for await (const rec of q) {
      expect(rec[0]).toBe(expected)
      expected++
    }
    expect(expected).toBe(5000)
    expect(await job).toBe(5000)
  })

  it('the main thread produces with awaiting puts while a worker consumes', async () => {
    await using ex = new ThreadPoolExecutor({ maxWorkers: 1 })
    const q = SharedQueue.create({ capacity: 8, codec: float64Records(1) })
    const job = ex.submit(consume, q.buffer)
    for (let i = 0; i < 2000; i++) await q.put(new Float64Array([i]))
    q.close()
    expect(await job).toEqual({ count: 2000, sum: (1999 * 2000) / 2 })
  })

  it('get waits with a timeout and a signal; close ends getters with QueueShutDown', async () => {
    const q = SharedQueue.create({ capacity: 1, recordSize: 1 })
    await expect(q.get({ timeout: 20 })).rejects.toThrow(TimeoutError)
    const ac = new AbortController()
    const waiting = q.get({ signal: ac.signal })
    ac.abort(new Error('stop'))
    await expect(waiting).rejects.toThrow('stop')
    q.putNowait(new Uint8Array([7]))
    await expect(q.put(new Uint8Array([8]), { timeout: 20 })).rejects.toThrow(TimeoutError)
    const blocked = q.put(new Uint8Array([8]))
    expect([...(await q.get())]).toEqual([7])
    await blocked
    q.close()
    expect([...(await q.get())]).toEqual([8])
    await expect(q.get()).rejects.toThrow(QueueShutDown)
    expect(() => q.tryPut(new Uint8Array([1]))).toThrow(QueueShutDown)
  })
})
