// A parent supervises a child on another node as if it were local: the child's failure and the
// loss of its node reach the parent's strategy, and a restart spawns it again where placement says.
import { expect, it } from 'vitest'
import { type ActorRef, type AnyActorRef, type Behavior, behavior, type Directive } from 'verdant'
import { RemoteChildLost } from 'verdant/remote'
import { worker } from '../fixtures/ref-actors.mjs'
import { startChildNode } from './child-node.js'
import { describeNats, seen, startNode, type TestNode, useNatsServer } from './fixture.js'

type Work =
  | { type: 'echo'; text: string; replyTo: ActorRef<string> }
  | { type: 'where' }
  | { type: 'boom' }
  | { type: 'quit' }

/** A parent that spawns one remote child and records every failure its strategy sees. */
function parentOf(
  here: TestNode,
  childDef: Behavior<Work>,
  decide: (e: unknown) => Directive = () => 'restart',
): { parent: AnyActorRef; child: () => Promise<ActorRef<Work>>; failures: unknown[] } {
  const failures: unknown[] = []
  let resolve!: (ref: ActorRef<Work>) => void
  const spawned = new Promise<ActorRef<Work>>((r) => (resolve = r))
  const parent = here.system.spawn(
    behavior<unknown>((ctx) => {
      resolve(ctx.spawn(childDef, { name: 'child' }))
      return () => undefined
    }),
    {
      supervisor: {
        decide: (e) => {
          failures.push(e)
          return decide(e)
        },
        maxRestarts: 10,
      },
    },
  )
  return { parent, child: () => spawned, failures }
}

const where = (ref: ActorRef<Work>): Promise<string> =>
  ref.ask<string>(() => ({ type: 'where' }), { timeout: 3000 })

describeNats('children on other nodes', () => {
  const server = useNatsServer()

  it('a child on another node answers, and its failure reaches the parent strategy, which restarts it there', async () => {
    const here = await startNode(server().url, { nodeId: 'here' })
    const there = await startNode(server().url, { nodeId: 'there' })
    there.node.provide('worker', worker())
    await seen(here.node, 'there')
    const { child, failures } = parentOf(here, here.node.remoteChild<Work>('worker', { node: 'there' }))
    const ref = await child()
    expect(await ref.ask((replyTo) => ({ type: 'echo', text: 'hi', replyTo }))).toBe('hi')
    const first = await where(ref)
    expect(first).toMatch(/:\/user\/verdant-remote-children\/\$\d+$/)
    ref.tell({ type: 'boom' })
    await expect.poll(() => failures.length).toBe(1)
    expect(failures[0]).toBeInstanceOf(RemoteChildLost)
    expect((failures[0] as RemoteChildLost).reason).toBe('stopped')
    expect(((failures[0] as RemoteChildLost).cause as Error).message).toBe('boom')
    // Restarted: the same ref reaches a new child on the same node.
    const second = await where(ref)
    expect(second).not.toBe(first)
    expect(
      there.system.inspect(there.system.lookup('/user/verdant-remote-children') as AnyActorRef).children,
    ).toBe(1)
  })

  it('stopping the parent stops the remote child; a child that stops itself is not restarted (transient)', async () => {
    const here = await startNode(server().url, { nodeId: 'here' })
    const there = await startNode(server().url, { nodeId: 'there' })
    there.node.provide('worker', worker())
    await seen(here.node, 'there')
    const host = (): number =>
      there.system.inspect(there.system.lookup('/user/verdant-remote-children') as AnyActorRef).children
    const a = parentOf(here, here.node.remoteChild<Work>('worker'))
    await where(await a.child())
    expect(host()).toBe(1)
    await here.system.stop(a.parent)
    await expect.poll(host).toBe(0)
    const b = parentOf(here, here.node.remoteChild<Work>('worker'))
    const ref = await b.child()
    await where(ref)
    ref.tell({ type: 'quit' })
    await expect.poll(host).toBe(0)
    await expect.poll(() => here.system.lookup(`${b.parent.path}/child`)).toBeUndefined()
    expect(b.failures).toEqual([])
  })

  it('a definition the far node does not provide fails the start, for the parent to decide', async () => {
    const here = await startNode(server().url, { nodeId: 'here' })
    await startNode(server().url, { nodeId: 'there' })
    await seen(here.node, 'there')
    const { failures } = parentOf(
      here,
      here.node.remoteChild<Work>('nothing', { node: 'there' }),
      () => 'stop',
    )
    await expect.poll(() => failures.length).toBe(1)
    expect((failures[0] as Error).message).toContain('no definition provided under this name')
  })

  it('kill -9 of the child node: the parent strategy sees node-down and the restart places it on a live node', async () => {
    const here = await startNode(server().url, { nodeId: 'here' })
    const spare = await startNode(server().url, { nodeId: 'spare' })
    spare.node.provide('worker', worker())
    const doomed = await startChildNode(server().url, 'doomed')
    await seen(here.node, 'spare', 'doomed')
    // First on the doomed node, then wherever is up and not this node.
    let placed = 0
    const def = here.node.remoteChild<Work>('worker', {
      placement: (members) =>
        placed++ === 0 ? 'doomed' : members.find((m) => m.id !== 'here' && m.id !== 'doomed')?.id,
    })
    const { child, failures } = parentOf(here, def)
    const ref = await child()
    const before = await where(ref)
    expect(before.startsWith(`${String(doomed.pid)}:`)).toBe(true)
    await doomed.kill('SIGKILL')
    await expect.poll(() => failures.length, { timeout: 4000 }).toBe(1)
    expect((failures[0] as RemoteChildLost).reason).toBe('node-down')
    expect((failures[0] as RemoteChildLost).node).toBe('doomed')
    const after = await where(ref)
    expect(after.startsWith(`${String(process.pid)}:`)).toBe(true)
  })
})
