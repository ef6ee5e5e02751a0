/**
 * gevent Queue: a boss puts work in a queue, three workers take it, switching after every task,
 * until the queue is shut down and drained.
 */
import { joinAll, Queue, sleep, spawn } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  const tasks = new Queue<number>({ maxsize: 3 })
  function worker(name: string) {
    return function* (): Generator<unknown, void> {
      for (;;) {
        let task: number
        try {
          task = yield* tasks.get()
        } catch {
          break // QueueShutDown: no more work
        }
        print(`Worker ${name} got task ${task}`)
        yield* sleep(0)
      }
      print(`Quitting time for ${name}!`)
    }
  }
  const boss = spawn(function* () {
    for (let i = 1; i <= 9; i++) yield* tasks.put(i) // blocks while the queue is full
    tasks.shutdown() // the workers drain what is left, then stop
  })
  await joinAll([boss, spawn(worker('steve')), spawn(worker('john')), spawn(worker('nancy'))])
}
