import { ThreadWorker } from 'poolifier'
export default new ThreadWorker({
  add: ({ a, b }) => a + b,
  burn: ({ n }) => {
    let h = 0
    for (let i = 0; i < n; i++) h = (Math.imul(h ^ i, 0x9e3779b1) + 1) | 0
    return h
  },
})
