/**
 * The talk's actor: a task with an inbox queue and a receive method. Pinger and Ponger send each
 * other messages through their inboxes until six messages were exchanged.
 */
import { joinAll, Queue, sleep, spawn, type Task } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  abstract class Actor {
    readonly inbox = new Queue<string>()
    task: Task<void> | undefined
    abstract receive(message: string): Generator<unknown, void>
    start(): this {
      const inbox = this.inbox
      this.task = spawn(function* (this: void): Generator<unknown, void> {
        for (;;) {
          let message: string
          try {
            message = yield* inbox.get()
          } catch {
            return // the inbox was shut down
          }
          yield* self.receive(message)
        }
      })
      const self = this
      return this
    }
  }
  let exchanged = 0
  const stopAll = (): void => {
    ping.inbox.shutdown()
    pong.inbox.shutdown()
  }
  class Pinger extends Actor {
    *receive(message: string): Generator<unknown, void> {
      print(message)
      if (++exchanged === 6) stopAll()
      else pong.inbox.putNowait('ping')
      yield* sleep(0)
    }
  }
  class Ponger extends Actor {
    *receive(message: string): Generator<unknown, void> {
      print(message)
      if (++exchanged === 6) stopAll()
      else ping.inbox.putNowait('pong')
      yield* sleep(0)
    }
  }
  const ping = new Pinger().start()
  const pong = new Ponger().start()
  ping.inbox.putNowait('start')
  await joinAll([ping.task, pong.task].filter((t): t is Task<void> => t !== undefined))
}
