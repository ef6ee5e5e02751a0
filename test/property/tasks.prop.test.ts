import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  joinAll,
  killAll,
  onUnobservedFailure,
  sleep,
  spawn,
  Timeout,
  TimeoutError,
  type Task,
} from 'verdant'
import { leakReport, withVirtualTime } from 'verdant/testing'

type Step =
  | { kind: 'sleep'; ms: number }
  | { kind: 'throw' }
  | { kind: 'child'; steps: Step[] }
  | { kind: 'timeout'; ms: number; sleep: number }
  | { kind: 'catchKill'; ms: number }

const { step } = fc.letrec<{ step: Step; steps: Step[] }>((tie) => ({
  step: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('sleep' as const), ms: fc.integer({ min: 0, max: 50 }) }),
    fc.record({ kind: fc.constant('throw' as const) }),
    fc.record({
      kind: fc.constant('timeout' as const),
      ms: fc.integer({ min: 0, max: 40 }),
      sleep: fc.integer({ min: 0, max: 40 }),
    }),
    fc.record({ kind: fc.constant('catchKill' as const), ms: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('child' as const), steps: tie('steps') }),
  ),
  steps: fc.array(tie('step'), { maxLength: 4 }),
}))

function* program(steps: Step[], all: Task<unknown>[]): Generator<unknown, string> {
  for (const s of steps) {
    switch (s.kind) {
      case 'sleep':
        yield* sleep(s.ms)
        break
      case 'throw':
        throw new Error('planned failure')
      case 'child':
        all.push(spawn(() => program(s.steps, all)))
        break
      case 'timeout': {
        const t = new Timeout(s.ms).start()
        try {
          yield* sleep(s.sleep)
        } catch (e) {
          if (!(e instanceof TimeoutError && e.timeout === t)) throw e
        } finally {
          t.cancel()
        }
        break
      }
      case 'catchKill':
        try {
          yield* sleep(s.ms)
        } catch {
          return 'swallowed a kill'
        }
    }
  }
  return 'done'
}

function contains(outcome: unknown, error: unknown): boolean {
  if (outcome === error) return true
  return outcome instanceof AggregateError && outcome.errors.includes(error)
}

describe('property: tasks under random kills and timeouts', () => {
  it('leave no task running, no timer pending, and lose no failure', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(step, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 60 }), target: fc.nat() }), { maxLength: 4 }),
        async (programs, kills) =>
          withVirtualTime(async () => {
            const reported: unknown[] = []
            const off = onUnobservedFailure((f) => reported.push(f.error))
            try {
              const all: Task<unknown>[] = []
              const roots = programs.map((p) => spawn(() => program(p, all)))
              all.push(...roots)
              const killers = kills.map((k) =>
                spawn(function* () {
                  yield* sleep(k.at)
                  const victim = all[k.target % all.length]
                  if (victim !== undefined) yield* victim.kill()
                }),
              )
              await joinAll([...roots, ...killers])
              expect(all.every((t) => t.done)).toBe(true)
              for (const t of all) {
                if (t.state !== 'failed') continue
                const err = t.exception
                const parent = t.parent
                if (parent === undefined) continue // observed here through joinAll
                expect(contains(parent.exception, err) || reported.includes(err)).toBe(true)
              }
              const leaks = leakReport()
              expect([leaks.tasks, leaks.timers, leaks.yields]).toEqual([0, 0, 0])
            } finally {
              off()
            }
          }),
      ),
      { numRuns: 150 },
    )
  })

  it('killAll after any interleaving of resolutions leaves nothing running (fast-check scheduler)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.scheduler(),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (s, n, killOrder) => {
          const finished: number[] = []
          const tasks = Array.from({ length: n }, (_, i) =>
            spawn(async (ctx) => {
              for (let k = 0; k < 3; k++)
                await ctx.call(s.schedule(Promise.resolve(k), `task ${i} step ${k}`))
              finished.push(i)
              return i
            }),
          )
          for (const k of killOrder) {
            const victim = tasks[k % n] as Task<number>
            void s.schedule(Promise.resolve(), `kill ${k % n}`).then(() => victim.cancel())
          }
          await s.waitIdle()
          await killAll(tasks)
          for (const [i, t] of tasks.entries()) {
            expect(t.done).toBe(true)
            if (t.state === 'succeeded') expect(finished).toContain(i)
            else expect(t.state, JSON.stringify(s.report())).toBe('cancelled')
          }
          const leaks = leakReport()
          expect([leaks.tasks, leaks.timers, leaks.yields]).toEqual([0, 0, 0])
        },
      ),
      { numRuns: 200 },
    )
  })

  it('a Timeout racing a task that finishes at the same instant settles it exactly once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20 }),
        fc.integer({ min: 0, max: 20 }),
        async (limit, work) =>
          withVirtualTime(async () => {
            const t = spawn(function* () {
              const timeout = new Timeout(limit).start()
              try {
                yield* sleep(work)
                return 'finished'
              } catch (e) {
                if (e instanceof TimeoutError && e.timeout === timeout) return 'timed out'
                throw e
              } finally {
                timeout.cancel()
              }
            })
            const outcome = await t
            if (work < limit) expect(outcome).toBe('finished')
            if (work > limit) expect(outcome).toBe('timed out')
            expect(leakReport().timers).toBe(0)
          }),
      ),
      { numRuns: 100 },
    )
  })
})
