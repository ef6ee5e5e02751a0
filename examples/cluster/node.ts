/**
 * One node of the cluster demo, in a process of its own: `node node.js <nats url> <node id>`,
 * forked by demo.js, which drives it over IPC. Node "stats" runs Ponger and the stats actor,
 * registered by name; node "ping" runs Pinger and the supervised poller when the demo says so.
 */
import { ActorSystem, run } from 'verdant'
import { type ClusterNode, joinCluster } from 'verdant/remote'
import { type NodeEnv, pinger, ponger, startSupervisedPoller, statsService } from './actors.js'
import {
  type Command,
  FAILURE_WINDOW_MS,
  HEARTBEAT_MS,
  type NodeEvent,
  type Report,
  SYSTEM,
} from './protocol.js'

const [servers = '', nodeId = ''] = process.argv.slice(2)

/** Sends `report` to the demo; resolves once it is written (or at once if the demo is gone). */
function send(report: Report): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) resolve()
    else process.send(report, undefined, {}, () => resolve())
  })
}

let killedAt: number | undefined
const env: Omit<NodeEnv, 'cluster'> = {
  print: (line) => void send({ line }),
  report: (event: NodeEvent) => void send({ event }),
  sinceKill: () => (killedAt === undefined ? '' : ` (+${String(Date.now() - killedAt)} ms after the kill)`),
}

void run(async (ctx) => {
  const system = new ActorSystem({ name: SYSTEM, logLevel: 'off' })
  let cluster: ClusterNode | undefined
  // The demo says `leave`, or goes away: either way this node leaves and its process ends.
  let leaveNow = (): void => undefined
  const leave = new Promise<void>((resolve) => (leaveNow = resolve))
  let start = (_what: 'pingpong' | 'poll'): void => undefined
  process.on('disconnect', leaveNow)
  process.on('message', (m: Command) => {
    if (m.cmd === 'leave') leaveNow()
    else if (m.cmd === 'killed') killedAt = m.at
    else start(m.cmd)
  })
  try {
    cluster = await ctx.call(
      joinCluster(system, {
        servers,
        nodeId,
        heartbeatMs: HEARTBEAT_MS,
        failureWindowMs: FAILURE_WINDOW_MS,
      }),
    )
    const node: NodeEnv = { ...env, cluster }
    const self = cluster.id
    cluster.subscribe((e) => {
      const reason = e.type === 'down' ? ` (${e.reason})` : ''
      env.print(`membership: node ${e.node} is ${e.type}${reason}${env.sinceKill()}`)
      if (e.type === 'down' && e.node === 'stats') env.report('stats-down')
    })
    env.print(
      `joined cluster "${SYSTEM}" as node ${self} (heartbeat ${String(HEARTBEAT_MS)} ms, failure window ${String(FAILURE_WINDOW_MS)} ms)`,
    )

    if (self === 'stats') {
      await ctx.call(cluster.register('pong', system.spawn(ponger(node), { name: 'pong' })))
      await ctx.call(cluster.register('stats', system.spawn(statsService(node), { name: 'stats' })))
      env.print('registered /user/pong as "pong" and /user/stats as "stats"')
    } else {
      await ctx.call(seen(cluster, 'stats'))
    }

    start = (what) => {
      if (what === 'pingpong')
        system.spawn(pinger(node), { name: 'pinger' }).tell({ type: 'start', rounds: 3 })
      else startSupervisedPoller(system, node)
    }
    env.report('ready')
    await ctx.call(leave)
  } finally {
    await cluster?.leave({ timeoutMs: 1000 })
    const report = await system.shutdown()
    const left = cluster === undefined ? '' : 'left the cluster; '
    env.print(`${left}actor system stopped (${String(report.stopped)} actors)`)
    await send({ event: 'left' })
    if (process.connected) process.disconnect()
  }
})

/** Resolves once `cluster` sees node `id` up. */
async function seen(cluster: ClusterNode, id: string): Promise<void> {
  const up = (): boolean => cluster.members().some((m) => m.id === id && m.status === 'up')
  if (up()) return
  for await (const _ of cluster.events()) if (up()) return
}
