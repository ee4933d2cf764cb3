import { describe, expect, it } from 'vitest'
import { standardTransactionControl } from '../src/transaction-control.js'

describe('standardTransactionControl', () => {
  it('names the transaction command a statement starts with, in one spelling', () => {
    expect(standardTransactionControl('COMMIT;')).toBe('COMMIT')
    expect(standardTransactionControl('begin immediate;')).toBe('BEGIN')
    expect(standardTransactionControl('START\n  TRANSACTION ISOLATION LEVEL SERIALIZABLE;')).toBe('START TRANSACTION')
    expect(standardTransactionControl("Prepare Transaction 'x';")).toBe('PREPARE TRANSACTION')
  })

  it('reads past white space and comments before the first token, as a splitter may keep them', () => {
    expect(standardTransactionControl('-- done here\nCOMMIT;')).toBe('COMMIT')
    expect(standardTransactionControl('  /* a\n block */ -- and a line\r\n\tROLLBACK;')).toBe('ROLLBACK')
  })

  it('names nothing for other statements, or a command inside a comment or a longer word', () => {
    expect(standardTransactionControl('CREATE TABLE commits (id INTEGER);')).toBeUndefined()
    expect(standardTransactionControl('-- COMMIT\nSELECT 1;')).toBeUndefined()
    expect(standardTransactionControl('/* BEGIN */ SELECT 1;')).toBeUndefined()
    expect(standardTransactionControl('ending_soon();')).toBeUndefined()
    expect(standardTransactionControl('')).toBeUndefined()
  })
})
