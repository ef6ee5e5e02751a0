// What the remote suites share: one nats-server per file, and nodes that are left and shut down
// at the end of each test, with a check that none leaves an ask, a watch or a connection behind.
import { afterAll, afterEach, beforeAll, describe, expect } from 'vitest'
import { ActorSystem, type DeadLetter, type LogRecord } from 'verdant'
import { type ClusterNode, type ClusterOptions, joinCluster } from 'verdant/remote'
import { type NatsServer, natsServerBin, startNatsServer } from '../helpers/nats-server.js'

/** `describe` for suites that need nats-server: skipped (and named by the global notice) without it. */
export function describeNats(name: string, body: () => void): void {
  if (natsServerBin === undefined) describe.skip(name, body)
  else describe(name, body)
}

/** Nodes started by the running test, ended after it (before the leak check). */
const started: { readonly system: ActorSystem; readonly node: ClusterNode }[] = []

/**
 * Starts one nats-server for the file; `server()` is it. Also ends, after each test, the nodes it
 * started: an `afterEach` of the file runs before the leak check of the setup file.
 */
export function useNatsServer(opts?: Parameters<typeof startNatsServer>[0]): () => NatsServer {
  let server: NatsServer | undefined
  beforeAll(async () => {
    server = await startNatsServer(opts)
  })
  afterEach(async () => {
    // Every system first, then every node: a node leaving while another system still runs would
    // be news to that system's watchers and supervisors, which the test is over for.
    const nodes = started.splice(0).reverse()
    for (const { system } of nodes) await system.shutdown()
    for (const { node } of nodes) await node.leave()
    for (const { node } of nodes) {
      expect(node._nc.isClosed()).toBe(true)
      expect(node._held).toEqual({ asks: 0, watches: 0, offers: 0, held: 0 })
    }
  })
  afterAll(async () => {
    await server?.dispose()
  })
  return () => server as NatsServer
}

export interface TestNode {
  readonly system: ActorSystem
  readonly node: ClusterNode
  readonly dead: DeadLetter[]
  readonly logs: LogRecord[]
}

/** An actor system joined to the cluster on `url`, left and shut down when the test ends. */
export async function startNode(
  url: string,
  opts: ClusterOptions & { readonly name?: string } = {},
): Promise<TestNode> {
  const dead: DeadLetter[] = []
  const logs: LogRecord[] = []
  const system = new ActorSystem({
    name: opts.name ?? 'test-cluster',
    log: (r) => logs.push(r),
    logLevel: 'info',
  })
  system.deadLetters.subscribe((d) => dead.push(d))
  let node: ClusterNode
  try {
    node = await joinCluster(system, { servers: url, heartbeatMs: 100, failureWindowMs: 1000, ...opts })
  } catch (err) {
    await system.shutdown()
    throw err
  }
  started.push({ system, node })
  return { system, node, dead, logs }
}

/** Resolves once `node` sees every id in `ids` up. */
export async function seen(node: ClusterNode, ...ids: string[]): Promise<void> {
  const all = (): boolean => ids.every((id) => node.members().some((m) => m.id === id && m.status === 'up'))
  if (all()) return
  for await (const _ of node.events()) if (all()) return
}
