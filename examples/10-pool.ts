/**
 * gevent Pool(2): at most two jobs hold a slot at once; each job prints how many slots are in use
 * and how many jobs wait for one.
 */
import { Pool, sleep } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  const pool = new Pool(2)
  function helloFrom(n: number) {
    return function* (): Generator<unknown, void> {
      print(`job ${n}: ${pool.running} running, ${pool.pending} waiting`)
      yield* sleep(10)
    }
  }
  for (let n = 0; n < 3; n++) pool.spawn(helloFrom(n))
  await pool.join()
  const doubled = await pool.map(
    async (x: number) => {
      await sleep(5)
      return x * 2
    },
    [1, 2, 3],
  )
  print(`pool.map: ${doubled.join(', ')}`)
}
