export interface Colours {
  readonly bold: (text: string) => string
  readonly dim: (text: string) => string
  readonly red: (text: string) => string
  readonly green: (text: string) => string
  readonly yellow: (text: string) => string
  readonly cyan: (text: string) => string
}

const plain = (text: string) => text
const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`

export const NO_COLOURS: Colours = { bold: plain, dim: plain, red: plain, green: plain, yellow: plain, cyan: plain }

export const ANSI_COLOURS: Colours = {
  bold: ansi(1, 22),
  dim: ansi(2, 22),
  red: ansi(31, 39),
  green: ansi(32, 39),
  yellow: ansi(33, 39),
  cyan: ansi(36, 39),
}

/** Colour only on a terminal, never with NO_COLOR set (https://no-color.org) or `--no-color`. */
export function wantsColour(stream: { isTTY?: boolean }, environment: NodeJS.ProcessEnv, noColorFlag: boolean): boolean {
  return stream.isTTY === true && !noColorFlag && !environment.NO_COLOR
}
