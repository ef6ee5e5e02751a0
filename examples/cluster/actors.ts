/**
 * The talk's actors across two nodes: Pinger and Ponger (15) playing over the network, and the
 * stats poller under a supervisor (16), now asking a stats actor on another node and watching it.
 *
 * Nothing here knows about processes: a node finds the other's actors by name (`lookup`), and a
 * ref that came over the network is used as a local one is (`tell`, `ask`, `ctx.watch`).
 */
import {
  Actor,
  type ActorClass,
  type ActorContext,
  type ActorRef,
  type ActorSystem,
  type AnyActorRef,
  behavior,
  restartWithBackoff,
  Terminated,
} from 'verdant'
import { type ClusterNode, RemoteActorRef } from 'verdant/remote'
import type { Print } from '../01-hello-world.js'
import type { NodeEvent } from './protocol.js'

/** What the actors of one node get from it. */
export interface NodeEnv {
  readonly cluster: ClusterNode
  readonly print: Print
  readonly report: (event: NodeEvent) => void
  /** ` (+1520 ms after the kill)` once the demo has killed a node, else ``. */
  readonly sinceKill: () => string
}

/** `/user/pong on node stats`: where an actor lives, for the narrative. */
export function where(ref: AnyActorRef, env: NodeEnv): string {
  return `${ref.path} on node ${ref instanceof RemoteActorRef ? ref.node : env.cluster.id}`
}

// ---- ping-pong (15) -------------------------------------------------------------------------

/** The ball: whoever gets it answers `replyTo`, a ref that crossed the network inside it. */
export type Ball = {
  readonly text: 'ping' | 'pong'
  readonly round: number
  readonly replyTo: ActorRef<Ball>
}
export type PingerMsg = { readonly type: 'start'; readonly rounds: number } | Ball

/** Ponger answers every ping with a pong, on whichever node the ping came from. */
export function ponger(env: NodeEnv): ActorClass<Ball> {
  return class Ponger extends Actor<Ball> {
    receive(ball: Ball, ctx: ActorContext<Ball>): void {
      env.print(`ponger: ${ball.text} ${ball.round} from ${where(ball.replyTo, env)}`)
      ball.replyTo.tell({ text: 'pong', round: ball.round, replyTo: ctx.self })
    }
  }
}

/** Pinger finds "pong" by name and plays `rounds` rounds with it. */
export function pinger(env: NodeEnv): ActorClass<PingerMsg> {
  return class Pinger extends Actor<PingerMsg> {
    rounds = 0
    async receive(msg: PingerMsg, ctx: ActorContext<PingerMsg>): Promise<void> {
      if ('type' in msg) {
        const pong = await env.cluster.lookup<Ball>('pong')
        if (pong === undefined) throw new Error('no actor is registered as "pong"')
        env.print(`pinger: found "pong" at ${where(pong, env)}`)
        this.rounds = msg.rounds
        pong.tell({ text: 'ping', round: 1, replyTo: ctx.self })
        return
      }
      env.print(`pinger: ${msg.text} ${msg.round}`)
      if (msg.round < this.rounds) {
        msg.replyTo.tell({ text: 'ping', round: msg.round + 1, replyTo: ctx.self })
      } else {
        env.print(`pinger: ${String(this.rounds)} rounds across the two nodes, done`)
        env.report('pingpong-done')
      }
    }
  }
}

// ---- the stats service and its supervised poller (16) ----------------------------------------

export type Stats = { readonly node: string; readonly served: number; readonly upMs: number }
export type StatsMsg = { readonly type: 'get'; readonly replyTo: ActorRef<Stats> }

/** The stats actor: answers each `get` with how many it served and how long its node has run. */
export function statsService(env: NodeEnv): ActorClass<StatsMsg> {
  return class StatsService extends Actor<StatsMsg> {
    served = 0
    receive(msg: StatsMsg): void {
      this.served++
      msg.replyTo.tell({
        node: env.cluster.id,
        served: this.served,
        upMs: Math.round(process.uptime() * 1000),
      })
    }
  }
}

type PollerMsg = { readonly type: 'poll' } | Terminated

const POLL_MS = 250
const BACKOFF = { minMs: 300, maxMs: 3000 }

/**
 * The poller under its supervisor, as the talk wished its AskGoogle greenlet were supervised.
 * The poller looks the stats actor up by name, watches it and asks it every 250 ms. A
 * `Terminated` for it is a failure (the poller cannot do its job), so the supervisor decides: it
 * restarts the poller after a backoff, and the new poller looks the service up again.
 */
export function startSupervisedPoller(system: ActorSystem, env: NodeEnv): ActorRef<never> {
  let failedAt = 0
  let polled = 0

  class StatsPoller extends Actor<PollerMsg> {
    stats: ActorRef<StatsMsg> | undefined
    lastFailure = ''

    override async preStart(ctx: ActorContext<PollerMsg>): Promise<void> {
      const stats = await env.cluster.lookup<StatsMsg>('stats', { timeout: 1000 })
      if (stats === undefined) {
        env.print('poller: lookup("stats") finds no stats service in the cluster; nothing to poll')
        env.report('no-stats')
        return
      }
      this.stats = stats
      ctx.watch(stats)
      env.print(`poller: watching "stats" at ${where(stats, env)}, asking it every ${String(POLL_MS)} ms`)
      ctx.timers.startPeriodicTimer('poll', { type: 'poll' }, POLL_MS)
    }

    override postRestart(error: unknown, ctx: ActorContext<PollerMsg>): Promise<void> {
      const after = Date.now() - failedAt
      env.print(`poller: restarted by its supervisor ${String(after)} ms after it failed`)
      return this.preStart(ctx)
    }

    async receive(msg: PollerMsg, ctx: ActorContext<PollerMsg>): Promise<void> {
      if (msg instanceof Terminated) {
        env.print(`poller: Terminated(${where(msg.ref, env)}, reason ${msg.reason})${env.sinceKill()}`)
        throw new Error(`the stats actor is gone (${msg.reason})`)
      }
      if (this.stats === undefined) return
      try {
        const s = await this.stats.ask<Stats>((replyTo) => ({ type: 'get', replyTo }), {
          timeout: 500,
          signal: ctx.signal,
        })
        const served = `${String(s.served)} ${s.served === 1 ? 'ask' : 'asks'}`
        env.print(`poller: node ${s.node} has answered ${served}, up ${(s.upMs / 1000).toFixed(1)} s`)
        if (++polled === 3) env.report('polled')
      } catch (err) {
        // Whether the actor is gone is the watch's to say; a failed ask is reported once per kind.
        const why = err instanceof Error ? err.message : String(err)
        if (why !== this.lastFailure) env.print(`poller: ask failed: ${why}${env.sinceKill()}`)
        this.lastFailure = why
      }
    }
  }

  return system.spawn(
    behavior<never>((ctx) => {
      ctx.spawn(StatsPoller, { name: 'poller' })
      return () => undefined
    }),
    {
      name: 'pollers',
      supervisor: {
        strategy: 'oneForOne',
        maxRestarts: 3,
        withinMs: 10_000,
        decide: (error) => {
          failedAt = Date.now()
          env.print(
            `supervisor: poller failed: ${(error as Error).message}; restarting it after a backoff (${String(BACKOFF.minMs)} ms or more)`,
          )
          return restartWithBackoff(BACKOFF)
        },
      },
    },
  )
}
