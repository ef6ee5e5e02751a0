// The conformance cases that concern refs, defined once and run against a target in the test's
// own system (refs.test.ts) and against one on a second node process (test/remote).
import { expect, it } from 'vitest'
import {
  type ActorRef,
  type ActorSystem,
  ActorStoppedError,
  type AnyActorRef,
  behavior,
  type DeadLetter,
  PoisonPill,
  Terminated,
  TimeoutError,
} from 'verdant'

export type TargetKind = 'recorder' | 'echo' | 'routed'

export interface RefHarness {
  /** The system the test's own actors and asks live in. */
  readonly system: ActorSystem
  /** Its dead letters. */
  readonly dead: DeadLetter[]
  /** A fresh target of `kind`, local or remote. */
  spawnTarget(kind: TargetKind): Promise<AnyActorRef>
}

type EchoMsg =
  | { type: 'echo'; text: string; replyTo: ActorRef<string> }
  | { type: 'slow'; ms: number; replyTo: ActorRef<string> }
  | { type: 'who' }

export function defineRefCases(harness: () => RefHarness): void {
  it('tell keeps the order of one sender', async () => {
    const h = harness()
    const target = await h.spawnTarget('recorder')
    for (let i = 0; i < 500; i++) target.tell(i)
    const got = await target.ask<number[]>((replyTo) => ({ type: 'dump', replyTo }))
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => i))
  })

  it('ask resolves with the first reply', async () => {
    const h = harness()
    const target = (await h.spawnTarget('echo')) as ActorRef<EchoMsg>
    expect(await target.ask((replyTo) => ({ type: 'echo', text: 'hello', replyTo }))).toBe('hello')
  })

  it('an ask that times out rejects with a TimeoutError, and the late reply is a dead letter', async () => {
    const h = harness()
    const target = (await h.spawnTarget('echo')) as ActorRef<EchoMsg>
    const err: unknown = await target
      .ask((replyTo) => ({ type: 'slow', ms: 150, replyTo }), { timeout: 40 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(TimeoutError)
    await expect
      .poll(() => h.dead.filter((d) => d.reason === 'ask-settled').length, { timeout: 3000 })
      .toBe(1)
    expect(h.dead.find((d) => d.reason === 'ask-settled')?.message).toBe('late')
  })

  it('PoisonPill stops the target after the messages before it; an ask after it fails', async () => {
    const h = harness()
    const target = await h.spawnTarget('recorder')
    target.tell('a')
    target.tell('b')
    expect(await target.ask<string[]>((replyTo) => ({ type: 'dump', replyTo }))).toEqual(['a', 'b'])
    target.tell(PoisonPill)
    const err: unknown = await target
      .ask<string[]>((replyTo) => ({ type: 'dump', replyTo }), { timeout: 3000 })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ActorStoppedError)
  })

  it('watch delivers Terminated once the target stops', async () => {
    const h = harness()
    const target = await h.spawnTarget('echo')
    let resolve!: (t: Terminated) => void
    const ended = new Promise<Terminated>((r) => (resolve = r))
    const watcher = h.system.spawn(
      behavior<Terminated | 'watch' | { type: 'ping'; replyTo: ActorRef<string> }>((ctx) => (msg) => {
        if (msg instanceof Terminated) resolve(msg)
        else if (msg === 'watch') ctx.watch(target)
        else msg.replyTo.tell('pong')
      }),
    )
    watcher.tell('watch')
    // The watch is set once the watcher has handled it.
    await watcher.ask((replyTo) => ({ type: 'ping', replyTo }))
    // Let a watch frame reach the target's node before the stop does.
    await (target as ActorRef<EchoMsg>).ask((replyTo) => ({ type: 'echo', text: '', replyTo }))
    target.tell(PoisonPill)
    const t = await ended
    expect(t.ref).toBe(target)
    expect(t.reason).toBe('stopped')
    await h.system.stop(watcher)
  })

  it('a router forwards the sender, so its routee answers the asker', async () => {
    const h = harness()
    const target = (await h.spawnTarget('routed')) as ActorRef<EchoMsg>
    expect(await target.ask((replyTo) => ({ type: 'echo', text: 'routed', replyTo }))).toBe('routed')
    const who = await target.ask<string>(() => ({ type: 'who' }))
    expect(who.startsWith(`${target.path}/`)).toBe(true)
  })
}
