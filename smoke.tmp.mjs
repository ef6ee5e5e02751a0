import { ThreadPoolExecutor, ProcessPoolExecutor, taskRef } from '/work/main/dist/index.js'
const url = new URL('file:///work/main/test/fixtures/executor-tasks.mjs')
const { add } = await import(url.href)
for (const Ex of [ThreadPoolExecutor, ProcessPoolExecutor]) {
  const ex = new Ex({ maxWorkers: 2 })
  console.log(await ex.submit(add, 1, 2))
  const echo = taskRef(url, 'echo')
  let t = performance.now()
  const N = Ex === ThreadPoolExecutor ? 100000 : 20000
  const fs = []
  for (let i = 0; i < N; i++) fs.push(ex.submit(add, i, 1))
  const r = await Promise.all(fs)
  const dt = performance.now() - t
  console.log(Ex.name, N, 'jobs', dt.toFixed(0), 'ms', (N / dt * 1000).toFixed(0), '/s', r[N-1])
  try { await ex.submit(taskRef(url, 'fail'), 'bad') } catch (e) { console.log(e.name, e.message, e.field, e.details) }
  console.log(ex.stats)
  await ex.shutdown()
}
