/**
 * Synchronous vs asynchronous execution: the same nine tasks, each sleeping a "random" 0 to 2 ms
 * (a fixed sequence, so the output is the same every run), first one after another, then spawned
 * together, where they finish in the order of their sleeps.
 */
import { joinAll, sleep, spawn } from 'verdant'
import type { Print } from './01-hello-world.js'

const delays = [2, 0, 1, 2, 1, 0, 2, 0, 1]

export async function main(print: Print): Promise<void> {
  function* task(pid: number): Generator<unknown, void> {
    yield* sleep(delays[pid - 1] ?? 0)
    print(`Task ${pid} done`)
  }

  print('Synchronous:')
  for (let pid = 1; pid <= 9; pid++) await spawn(() => task(pid))

  print('Asynchronous:')
  const tasks = []
  for (let pid = 1; pid <= 9; pid++) tasks.push(spawn(() => task(pid)))
  await joinAll(tasks)
}
