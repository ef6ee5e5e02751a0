/**
 * gevent Group: add tasks, join, add another, join again. `talk` never switches, so each task
 * prints its three lines in one go, in the order the tasks started.
 */
import { Group, spawn } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  function talk(msg: string): () => void {
    return () => {
      for (let i = 0; i < 3; i++) print(msg)
    }
  }
  const g1 = spawn(talk('bar'))
  const g2 = spawn(talk('foo'))
  const g3 = spawn(talk('fizz'))

  const group = new Group()
  group.add(g1)
  group.add(g2)
  await group.join()

  group.add(g3) // already finished: it is not added, and join returns at once
  await group.join()
  print(`group size after join: ${group.size}`)
}
