/**
 * The talk's AskGoogle / SendMessageService pair, with the supervision the talk wished for.
 *
 * A stats server runs on loopback. A poller actor asks it for stats on a timer and tells the
 * message service what it found. The server fails one request; the poller crashes on it, its
 * supervisor restarts it (same ref, same mailbox), and polling goes on.
 */
import { createServer, get, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Actor, type ActorContext, type ActorRef, ActorSystem, behavior } from 'verdant'
import type { Print } from './01-hello-world.js'

type PollerMsg = { type: 'poll' }
type ServiceMsg = { type: 'send'; text: string }

/** A stats endpoint whose second request fails with HTTP 500. */
function statsServer(): Promise<Server> {
  let requests = 0
  const server = createServer((_req, res) => {
    requests++
    if (requests === 2) {
      res.writeHead(500).end('overloaded')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ visits: requests * 10 }))
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)))
}

/** GETs JSON without a keep-alive agent, so no socket outlives the request. */
function getJson(url: string, signal: AbortSignal): Promise<{ visits: number }> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false, signal }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        if (res.statusCode === 200) resolve(JSON.parse(body) as { visits: number })
        else reject(new Error(`HTTP ${String(res.statusCode)} from the stats server`))
      })
    }).on('error', reject)
  })
}

export async function main(print: Print): Promise<void> {
  const server = await statsServer()
  const url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}/stats`
  const system = new ActorSystem({ name: 'stats', logLevel: 'off' })
  let sent = 0

  const service = system.spawn(
    behavior<ServiceMsg>((ctx) => (msg) => {
      print(`SendMessageService: sending "${msg.text}"`)
      if (++sent === 3) void ctx.system.shutdown()
    }),
    { name: 'sms' },
  )

  /** Constructed anew on each restart: whatever it held is gone, its ref and mailbox are not. */
  class AskStats extends Actor<PollerMsg> {
    readonly sms: ActorRef<ServiceMsg> = service
    override preStart(ctx: ActorContext<PollerMsg>): void {
      ctx.timers.startPeriodicTimer('poll', { type: 'poll' }, 10)
    }
    override postRestart(error: unknown, ctx: ActorContext<PollerMsg>): void {
      print(`${ctx.self.path} restarted after: ${(error as Error).message}`)
      this.preStart(ctx)
    }
    async receive(_msg: PollerMsg, ctx: ActorContext<PollerMsg>): Promise<void> {
      const stats = await getJson(url, ctx.signal) // a failure here crashes the actor
      print(`${ctx.self.path} got visits=${String(stats.visits)}`)
      this.sms.tell({ type: 'send', text: `visits=${String(stats.visits)}` })
    }
  }

  system.spawn(
    behavior<never>((ctx) => {
      ctx.spawn(AskStats, { name: 'poller-1' })
      return () => undefined
    }),
    { name: 'pollers', supervisor: { strategy: 'oneForOne', maxRestarts: 3, withinMs: 5000 } },
  )

  const report = await system.whenTerminated
  print(
    `shutdown: ${String(report.stopped)} actors stopped, ${String(report.unresponsive.length)} unresponsive`,
  )
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
