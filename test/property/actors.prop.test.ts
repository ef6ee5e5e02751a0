import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type ActorRef, ActorSystem, behavior, PoisonPill, sleep, type Strategy } from 'verdant'

type Msg = { id: number; fail: boolean; wait: number }
type Op =
  | { kind: 'send'; child: number; fail: boolean; wait: number }
  | { kind: 'stop'; child: number }
  | { kind: 'pill'; child: number }
  | { kind: 'pause'; ms: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('send' as const),
      child: fc.nat(3),
      fail: fc.boolean(),
      wait: fc.constantFrom(0, 0, 1, 2),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('stop' as const), child: fc.nat(3) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('pill' as const), child: fc.nat(3) }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('pause' as const), ms: fc.integer({ min: 0, max: 3 }) }),
  },
)

describe('property: actors under random crash schedules', () => {
  it('no message but the failing one is lost, none is handled twice, and a stopped actor handles nothing', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Strategy>('oneForOne', 'oneForAll', 'restForOne'),
        fc.integer({ min: 1, max: 4 }),
        fc.array(opArb, { maxLength: 60 }),
        async (strategy, n, ops) => {
          const system = new ActorSystem({ logLevel: 'off' })
          const outcome = new Map<number, string>()
          const violations: string[] = []
          const handledBy: number[][] = Array.from({ length: n }, () => [])
          const record = (id: number, what: string): void => {
            if (outcome.has(id))
              violations.push(`message ${String(id)}: ${outcome.get(id) ?? ''} then ${what}`)
            outcome.set(id, what)
          }
          system.deadLetters.subscribe((d) => {
            const m = d.message as Msg | typeof PoisonPill
            if (typeof m === 'object') record(m.id, `dead:${d.reason}`)
          })
          const refs: ActorRef<Msg>[] = []
          const stoppedFlags: boolean[] = []
          const child = (i: number) =>
            behavior<Msg>(() => ({
              receive: async (m) => {
                if (stoppedFlags[i] === true)
                  violations.push(`child ${String(i)} handled ${String(m.id)} after postStop`)
                if (m.wait > 0) await sleep(m.wait)
                if (m.fail) throw new Error(`fail ${String(m.id)}`)
                handledBy[i]?.push(m.id)
                record(m.id, 'handled')
              },
              postStop: () => {
                stoppedFlags[i] = true
              },
            }))
          system.spawn(
            behavior<never>((ctx) => {
              for (let i = 0; i < n; i++) refs.push(ctx.spawn(child(i), { name: `c${String(i)}` }))
              return () => undefined
            }),
            { supervisor: { strategy, maxRestarts: Infinity } },
          )
          await sleep(0)
          const sent: Msg[][] = Array.from({ length: n }, () => [])
          const stopped = new Set<number>()
          let id = 0
          for (const op of ops) {
            if (op.kind === 'pause') {
              await sleep(op.ms)
              continue
            }
            const i = op.child % n
            const ref = refs[i] as ActorRef<Msg>
            if (op.kind === 'send') {
              const m = { id: id++, fail: op.fail, wait: op.wait }
              sent[i]?.push(m)
              ref.tell(m)
            } else if (op.kind === 'pill') {
              stopped.add(i)
              ref.tell(PoisonPill)
            } else {
              stopped.add(i)
              void system.stop(ref)
            }
          }
          const deadline = Date.now() + 5000
          while (outcome.size < id && Date.now() < deadline) await sleep(1)
          await system.shutdown()
          expect(violations).toEqual([])
          expect(outcome.size).toBe(id)
          for (let i = 0; i < n; i++) {
            for (const m of sent[i] ?? []) {
              const got = outcome.get(m.id)
              if (m.fail) expect(got === 'dead:failed' || got === 'dead:stopped').toBe(true)
              else if (!stopped.has(i)) expect(got).toBe('handled')
              else expect(got === 'handled' || got === 'dead:stopped').toBe(true)
            }
            // Handled in the order sent.
            const order = handledBy[i] ?? []
            expect(order).toEqual([...order].sort((a, b) => a - b))
          }
        },
      ),
      { numRuns: 40 },
    )
  }, 60_000)
})
