import { describe, expect, it } from 'vitest'
import { CancelledError, InvalidStateError, Scope, scoped, sleep, spawn, type Task } from 'verdant'
import { withVirtualTime } from 'verdant/testing'
import { takeUnobserved } from '../helpers/setup.js'
import { turn } from '../helpers/util.js'

describe('conformance: structure', () => {
  it('trio: a parent does not finish before its children', () =>
    withVirtualTime(async (clock) => {
      const out: string[] = []
      const parent = spawn(function* () {
        spawn(function* () {
          yield* sleep(100)
          out.push('child done')
        })
        out.push('parent body done')
      })
      await parent
      expect(out).toEqual(['parent body done', 'child done'])
      expect(clock.now()).toBe(100)
    }))

  it('asyncio TaskGroup: a failing child cancels its siblings and the body; the parent fails with it', () =>
    withVirtualTime(async () => {
      const boom = new Error('boom')
      const out: string[] = []
      const parent = spawn(async (ctx) => {
        ctx.spawn(async (c) => {
          await c.sleep(10)
          throw boom
        })
        ctx.spawn(async (c) => {
          try {
            await c.sleep(1000)
          } catch (e) {
            out.push(`sibling: ${(e as Error).name}`)
            throw e
          }
        })
        try {
          await ctx.sleep(1000)
        } catch (e) {
          out.push(`body: ${(e as Error).name}`)
          throw e
        }
      })
      await expect(parent).rejects.toBe(boom)
      expect(out.sort()).toEqual(['body: CancelledError', 'sibling: TaskKilled'])
      expect(parent.state).toBe('failed')
    }))

  it('asyncio TaskGroup: several failures come out as one AggregateError keeping every error', () =>
    withVirtualTime(async () => {
      const e1 = new Error('one')
      const e2 = new Error('two')
      const err = await scoped(async (scope) => {
        scope.spawn(() => {
          throw e1
        })
        scope.spawn(() => {
          throw e2
        })
        await scope.sleep(10)
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(AggregateError)
      expect((err as AggregateError).errors).toEqual([e1, e2])
      expect((err as AggregateError).cause).toBe(e1)
    }))

  it("asyncio TaskGroup: a child failure that the parent awaits is the parent's to handle", async () => {
    const parent = spawn(async (ctx) => {
      const child = ctx.spawn(async () => {
        await null
        throw new Error('handled')
      })
      try {
        await child
      } catch (e) {
        return `caught ${(e as Error).message}`
      }
      return 'no'
    })
    expect(await parent).toBe('caught handled')
  })

  it('asyncio TaskGroup: a cancelled child does not cancel its parent', async () => {
    const parent = spawn(async (ctx) => {
      const child = ctx.spawn(async (c) => {
        await c.sleep(1000)
      })
      await ctx.sleep(0)
      await child.kill()
      return child.state
    })
    expect(await parent).toBe('cancelled')
  })

  it('trio: killing a parent kills its children first to last and waits for them', () =>
    withVirtualTime(async () => {
      const order: string[] = []
      const parent = spawn(function* () {
        for (const name of ['first', 'second', 'third']) {
          spawn(function* () {
            try {
              yield* sleep(10_000)
            } finally {
              order.push(name)
              yield* sleep(5)
            }
          })
        }
        try {
          yield* sleep(10_000)
        } finally {
          order.push('parent')
        }
      })
      await sleep(1)
      expect(await parent.kill()).toBe(true)
      expect(order).toEqual(['first', 'second', 'third', 'parent'])
      expect(parent.state).toBe('cancelled')
    }))

  it('asyncio: a detached task is not a child and is not waited for', () =>
    withVirtualTime(async () => {
      let detached: Task<void> | undefined
      const parent = spawn(function* () {
        detached = spawn(
          function* () {
            yield* sleep(1000)
          },
          { detached: true },
        )
      })
      await parent
      expect(parent.children()).toEqual([])
      expect(detached?.state).toBe('running')
      expect(detached?.parent).toBeUndefined()
      await detached?.kill()
    }))

  it('asyncio: a detached task failure is reported, not given to the spawner', async () => {
    const parent = spawn(function* () {
      spawn(
        () => {
          throw new Error('detached failure')
        },
        { detached: true },
      )
      yield* sleep(0)
      return 'parent fine'
    })
    expect(await parent).toBe('parent fine')
    await turn()
    expect(takeUnobserved().map((f) => String(f.error))).toEqual(['Error: detached failure'])
  })

  it('trio nursery: scoped() returns only when every task in it is done', () =>
    withVirtualTime(async (clock) => {
      const out: number[] = []
      const r = await scoped(async (scope) => {
        for (const ms of [30, 10, 20]) {
          scope.spawn(async (c) => {
            await c.sleep(ms)
            out.push(ms)
          })
        }
        return 'block value'
      })
      expect(r).toBe('block value')
      expect(out).toEqual([10, 20, 30])
      expect(clock.now()).toBe(30)
    }))

  it('trio nursery: when the block throws, its tasks are cancelled and the error is rethrown', () =>
    withVirtualTime(async (clock) => {
      const out: string[] = []
      const err = new Error('block failed')
      await expect(
        scoped(async (scope) => {
          scope.spawn(async (c) => {
            try {
              await c.sleep(10_000)
            } finally {
              out.push('child cleaned up')
            }
          })
          await scope.sleep(5)
          throw err
        }),
      ).rejects.toBe(err)
      expect(out).toEqual(['child cleaned up'])
      expect(clock.now()).toBe(5)
    }))

  it('trio: scoped() with a signal is cancelled when the signal aborts', () =>
    withVirtualTime(async () => {
      const ac = new AbortController()
      const p = scoped(
        async (scope) => {
          await scope.sleep(10_000)
        },
        { signal: ac.signal },
      )
      await sleep(1)
      ac.abort('enough')
      await expect(p).rejects.toBeInstanceOf(CancelledError)
    }))

  it('asyncio TaskGroup: a Scope with await using waits for its tasks and rethrows a failure', () =>
    withVirtualTime(async () => {
      const out: string[] = []
      {
        await using scope = new Scope()
        scope.spawn(async (c) => {
          await c.sleep(20)
          out.push('a')
        })
        scope.spawn(async (c) => {
          await c.sleep(10)
          out.push('b')
        })
      }
      expect(out).toEqual(['b', 'a'])
      const failing = new Scope()
      failing.spawn(() => {
        throw new Error('in scope')
      })
      const sibling = failing.spawn(async (c) => {
        await c.sleep(10_000)
      })
      await expect(failing.close()).rejects.toThrow('in scope')
      expect(sibling.state).toBe('cancelled')
    }))

  it('asyncio TaskGroup: Scope.cancel() kills every task and close() then resolves', async () => {
    const scope = new Scope()
    const t = scope.spawn(async (c) => {
      await c.sleep(10_000)
    })
    await sleep(0)
    scope.cancel()
    await scope.close()
    expect(t.state).toBe('cancelled')
  })

  it('asyncio TaskGroup: spawning into a finished task throws InvalidStateError', async () => {
    let saved: { spawn: (fn: () => void) => unknown } | undefined
    const t = spawn((ctx) => {
      saved = ctx
    })
    await t
    expect(() => saved?.spawn(() => undefined)).toThrow(InvalidStateError)
  })

  it("gevent/asyncio: a failure observed through joinAll right after spawning is not the parent's", async () => {
    const { joinAll } = await import('verdant')
    const parent = spawn(async () => {
      const loser = spawn(() => {
        throw new Error('joined')
      })
      await joinAll([loser])
      return String(loser.exception)
    })
    expect(await parent).toBe('Error: joined')
  })

  it('asyncio TaskGroup: a task killed while waiting for its children ends cancelled', () =>
    withVirtualTime(async () => {
      const parent = spawn(function* () {
        spawn(function* () {
          yield* sleep(1000)
        })
        return 'body value'
      })
      await sleep(1)
      expect(parent.state).toBe('running')
      await parent.kill()
      expect(parent.state).toBe('cancelled')
      expect(parent.value).toBeUndefined()
    }))
})
