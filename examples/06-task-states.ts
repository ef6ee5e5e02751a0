/**
 * Greenlet states: `started`, `value`, `ready`, `successful`, `exception`, `state`.
 */
import { joinAll, spawn } from 'verdant'
import type { Print } from './01-hello-world.js'

export async function main(print: Print): Promise<void> {
  const winner = spawn(function win() {
    return 'You win!'
  })
  const loser = spawn(function fail(): never {
    throw new Error('You fail at failing.')
  })
  print(`winner.started: ${String(winner.started)}`)
  print(`loser.started: ${String(loser.started)}`)
  // joinAll never throws because a task failed
  await joinAll([winner, loser])
  print(`winner.value: ${String(winner.value)}`)
  print(`loser.value: ${String(loser.value)}`)
  print(`winner.ready: ${String(winner.ready)}`)
  print(`loser.ready: ${String(loser.ready)}`)
  print(`winner.successful: ${String(winner.successful)}`)
  print(`loser.successful: ${String(loser.successful)}`)
  print(`loser.exception: ${String(loser.exception)}`)
  print(`states: ${winner.state}, ${loser.state}`)
}
