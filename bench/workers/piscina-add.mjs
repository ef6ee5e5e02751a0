export default ({ a, b }) => a + b
export function burn({ n }) {
  let h = 0
  for (let i = 0; i < n; i++) h = (Math.imul(h ^ i, 0x9e3779b1) + 1) | 0
  return h
}
