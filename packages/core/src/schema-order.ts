/**
 * Views after the views they name, otherwise in the order given: the order in which a dialect
 * creates them. A view names another when the other's name stands in its definition as a word.
 */
export function viewsInCreateOrder<View extends { readonly name: string; readonly definition: string }>(views: readonly View[]): View[] {
  const mentions = (view: View, other: View) =>
    view !== other && new RegExp(`(^|[^\\w$])"?${escapeRegExp(other.name)}"?($|[^\\w$])`, 'i').test(view.definition)
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
