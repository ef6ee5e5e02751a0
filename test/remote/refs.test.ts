// The ref conformance cases against targets on a second node, a child process.
import { afterEach, describe } from 'vitest'
import { defineRefCases } from '../conformance/actors/ref-cases.js'
import { type ChildNode, startChildNode } from './child-node.js'
import { describeNats, startNode, type TestNode, useNatsServer } from './fixture.js'

describeNats('refs to actors on another node process', () => {
  const server = useNatsServer()
  describe('the shared ref cases', () => {
    let local: TestNode | undefined
    let other: ChildNode | undefined
    afterEach(() => {
      local = undefined
      other = undefined
    })
    defineRefCases(() => ({
      get system() {
        return (local as TestNode).system
      },
      get dead() {
        return (local as TestNode).dead
      },
      async spawnTarget(kind) {
        local ??= await startNode(server().url, { nodeId: 'here' })
        other ??= await startChildNode(server().url, 'there')
        const { path } = await other.send({ cmd: 'spawn', kind })
        return local.node.refAt('there', path as string)
      },
    }))
  })
})
