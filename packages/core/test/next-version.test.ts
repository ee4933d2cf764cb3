import { describe, expect, it } from 'vitest'
import { highestVersion, nextSequentialVersion, styleOf, timestampVersion, versionsAfter } from '../src/next-version.js'

describe('migration versions', () => {
  it('follows the highest version, keeping its padding, four digits at least', () => {
    expect(nextSequentialVersion(highestVersion([]))).toBe('0001')
    expect(nextSequentialVersion(highestVersion(['0001_a.sql', '0009_b.ts', 'README.md']))).toBe('0010')
    expect(nextSequentialVersion(highestVersion(['000001_a.sql']))).toBe('000002')
    expect(nextSequentialVersion(highestVersion(['20260101120000_a.sql']))).toBe('20260101120001')
  })

  it('stamps the UTC time, moved past a version that is not older', () => {
    const now = new Date('2026-11-23T12:34:56Z')
    expect(timestampVersion(now, undefined)).toBe('20261123123456')
    expect(timestampVersion(now, { version: 20261123123456n, digits: '20261123123456' })).toBe('20261123123457')
  })

  it('numbers several new files one after another in either style, and tells the style of a folder', () => {
    const take = (generator: Generator<string>, count: number) => Array.from({ length: count }, () => generator.next().value)
    expect(take(versionsAfter(highestVersion(['0007_a.sql']), 'sequential'), 2)).toEqual(['0008', '0009'])
    const now = new Date('2026-11-30T12:15:00Z')
    expect(take(versionsAfter(highestVersion(['0007_a.sql']), 'timestamp', now), 2)).toEqual(['20261130121500', '20261130121501'])
    expect(styleOf(highestVersion(['20261130121500_a.sql']))).toBe('timestamp')
    expect(styleOf(highestVersion(['0007_a.sql']))).toBe('sequential')
    expect(styleOf(undefined)).toBe('sequential')
  })
})
