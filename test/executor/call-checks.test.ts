// What a call gets wrong is said by the call: map's options are checked when map() is called, and
// an argument that cannot reach a worker is named by its position and its type.
import { Socket } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DataCloneError,
  ProcessPoolExecutor,
  taskRef,
  ThreadPoolExecutor,
  type Executor,
  type ExecutorMapOptions,
  type ExecutorOptions,
} from 'verdant'
import * as tasks from '../fixtures/executor-tasks.mjs'

const url = new URL('../fixtures/executor-tasks.mjs', import.meta.url)
const echo = taskRef<typeof tasks.echo<unknown>>(url, 'echo')

const kinds = [
  ['ThreadPoolExecutor', (o: ExecutorOptions) => new ThreadPoolExecutor(o)],
  ['ProcessPoolExecutor', (o: ExecutorOptions) => new ProcessPoolExecutor(o)],
] as const

let open: Executor[] = []
afterEach(async () => {
  await Promise.all(open.map((e) => e.shutdown({ cancelFutures: true })))
  open = []
})

describe.each(kinds)('%s', (_name, make) => {
  const executor = (): Executor => {
    const e = make({ maxWorkers: 1 })
    open.push(e)
    return e
  }

  describe('map() checks its options at the call', () => {
    const bad: [string, unknown, new (...a: never[]) => Error, RegExp][] = [
      ['chunksize 0', { chunksize: 0 }, RangeError, /chunksize/],
      ['chunksize 1.5', { chunksize: 1.5 }, RangeError, /chunksize/],
      ['window 0', { window: 0 }, RangeError, /window/],
      ['a negative timeout', { timeout: -1 }, RangeError, /timeout/],
      ['a signal that is not an AbortSignal', { signal: {} }, TypeError, /signal/],
      ['ordered as a string', { ordered: 'yes' }, TypeError, /ordered/],
      ['options that are not an object', 'fast', TypeError, /options/],
    ]
    it.each(bad)('%s throws from map() itself', (_, opts, type, message) => {
      const ex = executor()
      const call = () => ex.map(echo, [1, 2], opts as ExecutorMapOptions)
      expect(call).toThrow(type)
      expect(call).toThrow(message)
      expect(ex.stats().queued + ex.stats().running).toBe(0)
    })

    it('items that are not iterable throw from map() itself', () => {
      const ex = executor()
      expect(() => ex.map(echo, 42 as unknown as number[])).toThrow(TypeError)
    })

    it('good options still give a lazy iterator', async () => {
      const ex = executor()
      const it = ex.map(echo, [1, 2, 3], { chunksize: 2, window: 1, timeout: 5000, ordered: true })
      expect(ex.stats().queued + ex.stats().running).toBe(0)
      const out: unknown[] = []
      for await (const v of it) out.push(v)
      expect(out).toEqual([1, 2, 3])
    })
  })

  describe('an argument that cannot be sent', () => {
    it('a Socket: the error names the argument, its type, and keeps the platform error as cause', async () => {
      const ex = executor()
      const socket = new Socket()
      try {
        const err = (await ex
          .submit(tasks.add, 1, socket as unknown as number)
          .catch((e: unknown) => e)) as Error
        expect(err).toBeInstanceOf(DataCloneError)
        expect(err.message).toMatch(/^argument 1 of add\(\) is a Socket, which cannot be sent to a worker: /)
        expect(err.message).not.toMatch(/onReadableStreamEnd/)
        expect(err.cause).toBeInstanceOf(Error)
      } finally {
        socket.destroy()
      }
    })

    it('a function: the error says it is a function', async () => {
      const ex = executor()
      const err = (await ex.submit(echo, function shout() {}).catch((e: unknown) => e)) as Error
      expect(err).toBeInstanceOf(DataCloneError)
      expect(err.message).toMatch(
        /^argument 0 of echo\(\) is a function \(shout\), which cannot be sent to a worker/,
      )
      expect(err.cause).toBeInstanceOf(Error)
    })

    it('a map item is named as an item', async () => {
      const ex = executor()
      const run = async () => {
        for await (const v of ex.map(echo, [1, 2, 3, () => 4], { chunksize: 2 })) expect(v).toBeLessThan(3)
      }
      await expect(run()).rejects.toThrow(
        /^item 3 of echo\(\) is a function, which cannot be sent to a worker/,
      )
    })
  })
})
