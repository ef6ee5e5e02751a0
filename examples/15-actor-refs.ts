/**
 * The talk's Actor(Greenlet) with an inbox and a receive method, rebuilt on verdant's actor
 * system. Pinger and Ponger each have a mailbox and a `receive`; they reach each other only
 * through refs (found by name), never through the instance, which fixes the talk's first flaw.
 */
import { Actor, type ActorContext, ActorSystem, type ActorRef } from 'verdant'
import type { Print } from './01-hello-world.js'

type Ball = { text: string; count: number }

export async function main(print: Print): Promise<void> {
  const system = new ActorSystem({ name: 'ping-pong' })

  /** Answers every ball with `reply` to the actor named `peer`, until six were exchanged. */
  abstract class Player extends Actor<Ball> {
    abstract readonly reply: string
    abstract readonly peer: string
    receive(ball: Ball, ctx: ActorContext<Ball>): void {
      print(ball.text)
      if (ball.count === 6) {
        void ctx.system.shutdown()
        return
      }
      const peer = ctx.system.lookup<Ball>(this.peer) as ActorRef<Ball>
      peer.tell({ text: this.reply, count: ball.count + 1 })
    }
  }
  class Pinger extends Player {
    readonly reply = 'ping'
    readonly peer = '/user/pong'
  }
  class Ponger extends Player {
    readonly reply = 'pong'
    readonly peer = '/user/ping'
  }

  const ping = system.spawn(Pinger, { name: 'ping' })
  system.spawn(Ponger, { name: 'pong' })
  ping.tell({ text: 'start', count: 1 })
  const report = await system.whenTerminated
  print(`system stopped: ${String(report.stopped)} actors`)
}
