import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  Actor,
  type ActorContext,
  type ActorRef,
  ActorSystem,
  type AnyActorRef,
  type BackpressureRef,
  behavior,
  PoisonPill,
  receive,
  Terminated,
  type Wait,
} from 'verdant'

type Msg = { type: 'inc' } | { type: 'get'; replyTo: ActorRef<number> }

class Counter extends Actor<Msg> {
  n = 0
  receive(msg: Msg): void {
    if (msg.type === 'inc') this.n++
    else msg.replyTo.tell(this.n)
  }
}

// Checked by `tsc` in `npm test`; the calls also run, so the values are asserted too.
describe('actor type inference', () => {
  it('spawn infers the message type from a class or a behavior; tell checks it', async () => {
    const system = new ActorSystem({ logLevel: 'off' })
    const a = system.spawn(Counter)
    expectTypeOf(a).toEqualTypeOf<ActorRef<Msg>>()
    const b = system.spawn(
      behavior<Msg>(() => (msg) => {
        if (msg.type === 'get') msg.replyTo.tell(7)
      }),
    )
    expectTypeOf(b).toEqualTypeOf<ActorRef<Msg>>()
    a.tell({ type: 'inc' })
    const typeOnly = (): void => {
      // @ts-expect-error not a message of Counter
      a.tell({ type: 'dec' })
    }
    expect(typeof typeOnly).toBe('function')
    const n = await a.ask((replyTo: ActorRef<number>) => ({ type: 'get' as const, replyTo }))
    expectTypeOf(n).toEqualTypeOf<number>()
    expect(n).toBe(1)
    a.tell(PoisonPill)
    const m = await b.ask<number>((replyTo) => ({ type: 'get', replyTo }))
    expectTypeOf(m).toEqualTypeOf<number>()
    expect(m).toBe(7)
    // @ts-expect-error the reply-to ref must carry the reply type the message expects
    void b.ask<string>((replyTo) => ({ type: 'get', replyTo })).catch(() => undefined)
    await system.shutdown()
  })

  it('ask infers the reply type from the replyTo field of the message it builds', async () => {
    type Req =
      | { type: 'count'; replyTo: ActorRef<number> }
      | { type: 'name'; replyTo: ActorRef<string> }
      | { type: 'reset' }
    const system = new ActorSystem({ logLevel: 'off' })
    const r = system.spawn(
      receive<Req>((msg) => {
        if (msg.type === 'count') msg.replyTo.tell(3)
        else if (msg.type === 'name') msg.replyTo.tell('ada')
      }),
    )
    const count = r.ask((replyTo) => ({ type: 'count', replyTo }))
    expectTypeOf(count).toEqualTypeOf<Promise<number>>()
    const name = r.ask((replyTo) => ({ type: 'name', replyTo }), { timeout: 1000 })
    expectTypeOf(name).toEqualTypeOf<Promise<string>>()
    expect([await count, await name]).toEqual([3, 'ada'])
    // A class actor, a back-pressure ref and a single-message type infer the same way.
    const inferOthers = (
      c: ActorRef<Msg>,
      bp: BackpressureRef<Req>,
      single: ActorRef<{ user: string; replyTo: ActorRef<boolean> }>,
    ): void => {
      expectTypeOf(c.ask((replyTo) => ({ type: 'get', replyTo }))).toEqualTypeOf<Promise<number>>()
      expectTypeOf(bp.ask((replyTo) => ({ type: 'count', replyTo }))).toEqualTypeOf<Promise<number>>()
      expectTypeOf(single.ask((replyTo) => ({ user: 'ada', replyTo }))).toEqualTypeOf<Promise<boolean>>()
      // @ts-expect-error not a message of this actor
      void r.ask((replyTo) => ({ type: 'other', replyTo }))
      // @ts-expect-error the explicit reply type must match the message's replyTo
      void r.ask<string>((replyTo) => ({ type: 'count', replyTo }))
    }
    expect(typeof inferOthers).toBe('function')
    await system.shutdown()
  })

  it('ask<R> still names the reply type: for a reply through ctx.sender or another field', async () => {
    const system = new ActorSystem({ logLevel: 'off' })
    const echo = system.spawn(receive<string>((text, ctx) => ctx.sender?.tell(text)))
    const viaSender = echo.ask<string>(() => 'hi')
    expectTypeOf(viaSender).toEqualTypeOf<Promise<string>>()
    const other = system.spawn(receive<{ to: ActorRef<number> }>((msg) => msg.to.tell(1)))
    const viaOther = other.ask<number>((to) => ({ to }))
    expectTypeOf(viaOther).toEqualTypeOf<Promise<number>>()
    expect([await viaSender, await viaOther]).toEqual(['hi', 1])
    await system.shutdown()
  })

  it('refs of any message type still widen to AnyActorRef and narrow to a member', () => {
    const typeOnly = (a: ActorRef<Msg>, s: ActorRef<string>, bp: BackpressureRef<Msg>): void => {
      expectTypeOf(a).toExtend<AnyActorRef>()
      expectTypeOf(s).toExtend<AnyActorRef>()
      expectTypeOf(bp).toExtend<AnyActorRef>()
      expectTypeOf(a).toExtend<ActorRef<{ type: 'inc' }>>()
      expectTypeOf(s).not.toExtend<ActorRef<number>>()
    }
    expect(typeof typeOnly).toBe('function')
  })

  it('a back-pressure mailbox gives a ref whose tell returns a promise', async () => {
    const system = new ActorSystem({ logLevel: 'off' })
    const r = system.spawn(
      receive<number>(() => undefined),
      { mailbox: { capacity: 4, overflow: 'backpressure' } },
    )
    expectTypeOf(r).toEqualTypeOf<BackpressureRef<number>>()
    expectTypeOf(r.tell(1)).toEqualTypeOf<Wait<void>>()
    const plain: ActorRef<number> = r
    expectTypeOf(plain.tell(2)).toEqualTypeOf<void>()
    await r.tell(3)
    await system.shutdown()
  })

  it('watch needs a message unless the union includes Terminated', async () => {
    const system = new ActorSystem({ logLevel: 'off' })
    const target = system.spawn(receive<string>(() => undefined))
    system.spawn(
      behavior<Terminated | { type: 'x' }>((ctx) => {
        ctx.watch(target)
        return (msg) => {
          expectTypeOf(msg).toEqualTypeOf<Terminated | { type: 'x' }>()
        }
      }),
    )
    system.spawn(
      behavior<{ type: 'gone' }>((ctx: ActorContext<{ type: 'gone' }>) => {
        ctx.watch(target, { type: 'gone' })
        // @ts-expect-error Terminated is not a message of this actor, so a message is required
        ctx.watch(target)
        return () => undefined
      }),
    )
    await system.shutdown()
  })
})
