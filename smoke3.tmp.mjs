import { fork } from 'node:child_process'
const c = fork('/work/main/dist/executor/worker-main.js', [], { serialization: 'advanced', stdio: ['ignore','inherit','inherit','ipc'] })
c.on('message', (m) => { console.log('parent got', m); if (m[0] === 15) c.send({ initializer: undefined, initArgs: [], shared: undefined }); if (m[0]===10) { c.send([0, [1, 0, [1,2], 0], [0, 'file:///work/main/test/fixtures/executor-tasks.mjs', 'add']]) } if (m[0]===11) c.kill() })
c.on('exit', (code, sig) => console.log('exit', code, sig))
