// A raw worker: one message per job, answered at once. Jobs are [id, a, b] or [id, 'burn', n].
import { parentPort } from 'node:worker_threads'
parentPort.on('message', (m) => {
  if (m[1] === 'burn') {
    let h = 0
    for (let i = 0; i < m[2]; i++) h = (Math.imul(h ^ i, 0x9e3779b1) + 1) | 0
    parentPort.postMessage([m[0], h])
  } else parentPort.postMessage([m[0], m[1] + m[2]])
})
