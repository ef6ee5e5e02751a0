// Authentication passes through to NATS, wrong credentials fail the join clearly, and a node runs
// with exactly the permissions docs/design.md lists for it.
import { expect, it } from 'vitest'
import { type ActorRef, ActorSystem, receive, Terminated, behavior } from 'verdant'
import { ClusterJoinError, joinCluster } from 'verdant/remote'
import { describeNats, seen, startNode, useNatsServer } from './fixture.js'

type Echo = { type: 'echo'; text: string; replyTo: ActorRef<string> }
const echo = receive<Echo>((m) => m.replyTo.tell(m.text))

/** The permissions of node `id` of system `sys`, as docs/design.md lists them. */
function nodePermissions(sys: string, id: string): string {
  const p = `verdant.${sys}`
  return `{
    publish: ["${p}.node.*", "${p}.reply.*.*", "${p}.members", "${p}.name.*", "${p}.svc.*", "${p}.all.*", "${p}.inbox.*.>"]
    subscribe: ["${p}.node.${id}", "${p}.reply.${id}.*", "${p}.members", "${p}.name.*", "${p}.svc.*", "${p}.all.*", "${p}.inbox.${id}.>"]
  }`
}

describeNats('security', () => {
  const server = useNatsServer({
    config: `authorization {
  users: [
    { user: "alice", password: "s3cret", permissions: ${nodePermissions('locked', 'alice')} }
    { user: "bob", password: "s3cret", permissions: ${nodePermissions('locked', 'bob')} }
  ]
}`,
  })

  it('wrong credentials fail the join with ClusterJoinError naming the cause', async () => {
    const system = new ActorSystem({ name: 'locked' })
    try {
      const err: unknown = await joinCluster(system, {
        servers: server().url,
        nats: { user: 'alice', pass: 'wrong', reconnect: false },
      }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ClusterJoinError)
      expect((err as Error).message).toMatch(/authorization/i)
      const none: unknown = await joinCluster(system, {
        servers: server().url,
        nats: { reconnect: false },
      }).catch((e: unknown) => e)
      expect(none).toBeInstanceOf(ClusterJoinError)
    } finally {
      await system.shutdown()
    }
  })

  it('nodes with exactly the documented permissions tell, ask, look up, serve and watch', async () => {
    const errors: string[] = []
    const a = await startNode(server().url, {
      name: 'locked',
      nodeId: 'alice',
      nats: { user: 'alice', pass: 's3cret' },
    })
    const b = await startNode(server().url, {
      name: 'locked',
      nodeId: 'bob',
      nats: { user: 'bob', pass: 's3cret' },
    })
    for (const n of [a, b]) {
      void (async () => {
        for await (const s of n.node._nc.status()) if (s.type === 'error') errors.push(String(s.error))
      })()
    }
    await seen(a.node, 'bob')
    const remoteEcho = b.system.spawn(echo, { name: 'echo' })
    await b.node.register('echo', remoteEcho)
    await b.node.serve('echoes', remoteEcho)
    const found = await a.node.lookup<Echo>('echo')
    expect(await found?.ask((replyTo) => ({ type: 'echo', text: 'by name', replyTo }))).toBe('by name')
    const svc = a.node.service<Echo>('echoes')
    expect(await svc.ask((replyTo) => ({ type: 'echo', text: 'by service', replyTo }))).toBe('by service')
    let stopped!: (t: Terminated) => void
    const ended = new Promise<Terminated>((r) => (stopped = r))
    const target = a.node.refAt('bob', '/user/echo')
    a.system.spawn(
      behavior<Terminated>((ctx) => {
        ctx.watch(target)
        return (t) => stopped(t)
      }),
    )
    await found?.ask((replyTo) => ({ type: 'echo', text: '', replyTo }))
    await b.system.stop(remoteEcho)
    expect((await ended).reason).toBe('stopped')
    expect(errors).toEqual([])
  })
})
