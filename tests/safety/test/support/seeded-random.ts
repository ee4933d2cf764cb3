/** A small seeded generator (mulberry32): the same seed gives the same workload and kill plan. */
export interface SeededRandom {
  readonly seed: number
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max]. */
  integer(min: number, max: number): number
  pick<T>(items: readonly T[]): T
}

export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let value = state
    value = Math.imul(value ^ (value >>> 15), value | 1)
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61)
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed,
    next,
    integer: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
  }
}

/** The run's seed: `MIG_SAFETY_SEED` when set (to replay a failure), else a fresh one. */
export function safetySeed(): number {
  const given = process.env.MIG_SAFETY_SEED
  if (given !== undefined && given !== '') {
    const seed = Number(given)
    if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`MIG_SAFETY_SEED must be a non-negative integer, not ${given}.`)
    return seed
  }
  return Math.floor(Math.random() * 2 ** 31)
}
