/**
 * Views after the views they name, otherwise in the order given: the order in which a dialect
 * creates them. A view names another when the other's name stands in its definition (see {@link names}).
 */
export function viewsInCreateOrder<View extends { readonly name: string; readonly definition: string }>(views: readonly View[]): View[] {
  const words = new Map(views.map((view) => [view, wordsOf(view.definition)]))
  const mentions = (view: View, other: View) => view !== other && names(view.definition, words.get(view) as ReadonlySet<string>, other.name)
  const ordered: View[] = []
  const pending = [...views]
  while (pending.length) {
    const ready = pending.findIndex((view) => !pending.some((other) => mentions(view, other)))
    // A cycle cannot exist in a database, but a name inside a string can fake one: take the first.
    const [next] = pending.splice(Math.max(ready, 0), 1)
    ordered.push(next as View)
  }
  return ordered
}

const WORD = /^[\p{L}\p{N}_$]+$/u

/** The words of a definition, lower case: a quoted name of one word is a word too. */
export function wordsOf(text: string): Set<string> {
  return new Set(Array.from(text.matchAll(/[\p{L}\p{N}_$]+/gu), ([word]) => word.toLowerCase()))
}

/**
 * Whether a definition (`text`, with its {@link wordsOf}) names an object: a name of one word
 * stands in it as a word, in any case and however quoted; a longer one (`zz active`) appears in
 * it as written. A name in a string or a comment counts too: the orders built on this take the
 * first object of a cycle that such a name fakes.
 */
export function names(text: string, words: ReadonlySet<string>, name: string): boolean {
  return WORD.test(name) ? words.has(name.toLowerCase()) : text.includes(name)
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
