// The ref conformance cases against targets in the test's own system.
import { afterEach, describe } from 'vitest'
import { ActorSystem, type AnyActorRef, type DeadLetter } from 'verdant'
import { refActors } from '../../fixtures/ref-actors.mjs'
import { defineRefCases, type RefHarness } from './ref-cases.js'

describe('refs to actors of the same system', () => {
  let h: RefHarness | undefined
  afterEach(async () => {
    await h?.system.shutdown()
    h = undefined
  })
  defineRefCases(() => {
    const dead: DeadLetter[] = []
    const system = new ActorSystem({ name: 'refs', logLevel: 'off' })
    system.deadLetters.subscribe((d) => dead.push(d))
    h = {
      system,
      dead,
      spawnTarget: (kind) => Promise.resolve<AnyActorRef>(system.spawn(refActors[kind]())),
    }
    return h
  })
})
